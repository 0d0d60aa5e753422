package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.FieldMask;
import dev.keymeter.keys.TextBound;
import dev.keymeter.proto.admin.v1.AddMemberRequest;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.DuplicateKeyRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.UpdateKeyRequest;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names and users through the real admin API: lengths count characters as people count them (code
 * points), the maximum is the replica's ({@link TextBound}), and invisible or layout-changing
 * characters are refused naming the field and the code point.
 */
class TextRulesTest {

    private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, two UTF-16 units, four UTF-8 bytes
    private static final String CJK = "\u6F22"; // three UTF-8 bytes

    @TempDir
    Path dir;
    AdminHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        h.project("payments");
        for (String user : new String[] {"ana", CJK.repeat(128), EMOJI.repeat(128), "zoë@example.com"}) {
            h.admin().addMember(AddMemberRequest.newBuilder().setUser(user).setProjectId("payments").build());
        }
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private static CreateKeyRequest.Builder userKey(String name, String owner) {
        return CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_USER).setOwnerUser(owner);
    }

    @Test
    void bounds_areTheReplicasFields() {
        assertEquals(100, TextBound.NAME.maxChars());
        assertEquals(128, TextBound.USER.maxChars());
        assertEquals(512, TextBound.USER.maxUtf8Bytes());
        assertEquals(63, TextBound.PROJECT_ID.maxUtf8Bytes());
        assertEquals(24, TextBound.KEY_ID.maxUtf8Bytes());
    }

    @Test
    void createKey_name100Emoji_isAcceptedAsHundredCharacters() {
        Key key = h.admin().createKey(userKey(EMOJI.repeat(100), "ana").build()).getKey();
        assertEquals(EMOJI.repeat(100), key.getName());
    }

    @Test
    void createKey_name101Emoji_isInvalidArgumentNamingTheMaximum() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: at most 100 characters, was 101",
                () -> h.admin().createKey(userKey(EMOJI.repeat(101), "ana").build()));
    }

    @Test
    void createKey_ownerOf128NonAsciiCharacters_isAccepted() {
        Key key = h.admin().createKey(userKey("k", CJK.repeat(128)).build()).getKey();
        assertEquals(CJK.repeat(128), key.getOwnerUser());
        Key emoji = h.admin().createKey(userKey("e", EMOJI.repeat(128)).build()).getKey();
        assertEquals(EMOJI.repeat(128), emoji.getOwnerUser());
    }

    @Test
    void createKey_ownerOf129Characters_isInvalidArgumentNamingTheMaximum() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "owner_user: at most 128 characters, was 129",
                () -> h.admin().createKey(userKey("k", CJK.repeat(129)).build()));
    }

    @Test
    void createKey_nameWithBidiOverride_isInvalidArgumentNamingTheCodePoint() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+202E",
                () -> h.admin().createKey(userKey("invoice\u202Etxt.exe", "ana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+2066",
                () -> h.admin().createKey(userKey("a\u2066b", "ana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+061C",
                () -> h.admin().createKey(userKey("a\u061Cb", "ana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+200F",
                () -> h.admin().createKey(userKey("a\u200Fb", "ana").build()));
    }

    @Test
    void createKey_zeroWidthOrSeparatorInNameOrOwner_isInvalidArgumentNamingTheCodePoint() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "owner_user: must not contain U+200B",
                () -> h.admin().createKey(userKey("k", "ad\u200Bmin").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "owner_user: must not contain U+FEFF",
                () -> h.admin().createKey(userKey("k", "\uFEFFana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+2028",
                () -> h.admin().createKey(userKey("line\u2028break", "ana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+2029",
                () -> h.admin().createKey(userKey("para\u2029break", "ana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+0085",
                () -> h.admin().createKey(userKey("next\u0085line", "ana").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+001B",
                () -> h.admin().createKey(userKey("esc\u001B[2J", "ana").build()));
    }

    @Test
    void everyNameField_invisibleCharacter_isInvalidArgumentNamingFieldAndCodePoint() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "display_name: must not contain U+200D",
                () -> h.admin().createProject(CreateProjectRequest.newBuilder().setProjectId("billing")
                        .setDisplayName("Bill\u200Ding").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "user: must not contain U+2060",
                () -> h.admin().addMember(AddMemberRequest.newBuilder().setUser("bo\u2060b").build()));
        String id = h.serviceKey("payments", "plain").getKey().getId();
        assertStatus(Status.Code.INVALID_ARGUMENT, "key.name: must not contain U+202A",
                () -> h.admin().updateKey(UpdateKeyRequest.newBuilder().setKeyId(id)
                        .setKey(Key.newBuilder().setName("x\u202Ay"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "name: must not contain U+200E",
                () -> h.admin().duplicateKey(DuplicateKeyRequest.newBuilder().setKeyId(id).setName("c\u200Ey").build()));
        assertEquals("plain", h.admin().getKey(dev.keymeter.proto.admin.v1.GetKeyRequest.newBuilder().setKeyId(id)
                .build()).getName(), "a refused update changes nothing");
    }

    @Test
    void createKey_ordinaryLettersMarksAndEmoji_areAccepted() {
        String name = "Zoë's caf\u0065\u0301 \u2764\uFE0F \u0645\u0631\u062D\u0628\u0627 " + EMOJI;
        assertEquals(name, h.admin().createKey(userKey(name, "zoë@example.com").build()).getKey().getName());
    }
}
