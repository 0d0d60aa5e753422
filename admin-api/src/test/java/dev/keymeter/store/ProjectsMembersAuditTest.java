package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.Member;
import dev.keymeter.keys.Project;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Projects, memberships and the audit log. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ProjectsMembersAuditTest {

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;

    private KeyStore store;

    @BeforeEach
    void open() {
        store = kind.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void listProjects_pagesOfTwo_oldestFirstWithoutGapsOrRepeats() {
        List<Project> projects = List.of(
                new Project("c", "C", T0, "key_admin"),
                new Project("a", "A", T0, "key_admin"),
                new Project("b", "B", T0.plusMillis(1), "key_admin"),
                new Project("0", "Zero", T0.plusMillis(2), "key_admin"),
                new Project("d", "D", T0.plusMillis(2), "key_admin"));
        store.write(w -> {
            projects.forEach(w::insertProject);
            return null;
        });

        List<String> seen = new ArrayList<>();
        String token = "";
        do {
            String pageToken = token;
            Page<Project> page = store.read(r -> r.listProjects(2, pageToken));
            page.items().forEach(p -> seen.add(p.id()));
            token = page.nextPageToken();
        } while (!token.isEmpty());

        assertEquals(List.of("a", "c", "b", "0", "d"), seen);
        assertEquals(Optional.of(projects.get(0)), store.read(r -> r.findProject("c")));
    }

    @Test
    void addMember_organizationAndProjects_listsAndLooksUpEach() {
        store.write(w -> {
            w.insertProject(new Project("p1", "P1", T0, "key_admin"));
            w.insertProject(new Project("p2", "P2", T0, "key_admin"));
            w.addMember(new Member("bob", null, T0));
            w.addMember(new Member("alice", null, T0));
            w.addMember(new Member("alice", "p2", T0.plusMillis(1)));
            w.addMember(new Member("alice", "p1", T0.plusMillis(2)));
            w.addMember(new Member("alice", "p1", T0.plusMillis(9))); // already a member: changes nothing
            w.addMember(new Member("alice", null, T0.plusMillis(9)));
            return null;
        });

        assertEquals(List.of(new Member("alice", null, T0), new Member("bob", null, T0)),
                store.read(r -> r.listMembers(null)));
        assertEquals(List.of(new Member("alice", "p1", T0.plusMillis(2))), store.read(r -> r.listMembers("p1")));
        assertEquals(List.of("p1", "p2"), store.read(r -> r.projectsOf("alice")));
        assertEquals(List.of(), store.read(r -> r.projectsOf("bob")));
        assertTrue(isMember("bob", null));
        assertFalse(isMember("bob", "p1"));
        assertTrue(isMember("alice", "p2"));
    }

    @Test
    void removeMember_existingAndMissing_reportsWhetherThereWasOne() {
        store.write(w -> {
            w.insertProject(new Project("p1", "P1", T0, "key_admin"));
            w.addMember(new Member("alice", null, T0));
            w.addMember(new Member("alice", "p1", T0));
            return null;
        });

        assertTrue(removeMember("alice", "p1"));
        assertFalse(removeMember("alice", "p1"));

        assertTrue(isMember("alice", null));
        assertEquals(List.of(), store.read(r -> r.projectsOf("alice")));
    }

    private boolean isMember(String user, String projectId) {
        Boolean member = store.read(r -> r.isMember(user, projectId));
        return member;
    }

    private boolean removeMember(String user, String projectId) {
        Boolean removed = store.write(w -> w.removeMember(user, projectId));
        return removed;
    }

    @Test
    void deleteProject_withMembersAndKeys_removesMembershipsAndKeepsKeys() {
        store.write(w -> {
            w.insertProject(new Project("p1", "P1", T0, "key_admin"));
            w.addMember(new Member("alice", "p1", T0));
            return null;
        });
        insert(store, key("key_p1").project("p1"));

        store.write(w -> {
            w.deleteProject("p1");
            return null;
        });

        assertEquals(Optional.empty(), store.read(r -> r.findProject("p1")));
        assertEquals(List.of(), store.read(r -> r.listMembers("p1")));
        assertTrue(store.read(r -> r.findKey("key_p1")).isPresent());
    }

    @Test
    void addMember_unknownProject_throwsStoreException() {
        assertThrows(StoreException.class, () -> store.write(w -> {
            w.addMember(new Member("alice", "nowhere", T0));
            return null;
        }));
    }

    @Test
    void appendAudit_entries_roundTripNewestFirstAndFilterByTarget() {
        List<AuditEntry> appended = store.write(w -> {
            List<AuditEntry> entries = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                AuditEntry entry = new AuditEntry(0, T0.plusMillis(i), "key_admin", "UpdateKey",
                        i % 2 == 0 ? "key/key_even" : "key/key_odd", i == 4 ? "PERMISSION_DENIED" : AuditEntry.OK,
                        Map.of("name", "n" + i, "status", "DISABLED"), i);
                long id = w.appendAudit(entry);
                entries.add(new AuditEntry(id, entry.time(), entry.actorKeyId(), entry.action(), entry.target(),
                        entry.outcome(), entry.changes(), entry.revision()));
            }
            return entries;
        });

        Page<AuditEntry> first = store.read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 3, ""));
        Page<AuditEntry> second = store.read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 3, first.nextPageToken()));
        Page<AuditEntry> even = store.read(r -> r.listAudit("key/key_even", 10, ""));

        assertEquals(List.of(appended.get(4), appended.get(3), appended.get(2)), first.items());
        assertEquals(List.of(appended.get(1), appended.get(0)), second.items());
        assertEquals("", second.nextPageToken());
        assertEquals(List.of(appended.get(4), appended.get(2), appended.get(0)), even.items());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), appended.stream().map(AuditEntry::id).toList());
    }

    @Test
    void listAudit_evenTargetInPagesOfOne_walksEveryMatch() {
        store.write(w -> {
            for (int i = 0; i < 6; i++) {
                w.appendAudit(new AuditEntry(0, T0, "", "Check", "t" + (i % 2), "OK", Map.of(), 0));
            }
            return null;
        });

        List<Long> ids = new ArrayList<>();
        String token = "";
        do {
            String pageToken = token;
            Page<AuditEntry> page = store.read(r -> r.listAudit("t0", 1, pageToken));
            page.items().forEach(e -> ids.add(e.id()));
            token = page.nextPageToken();
        } while (!token.isEmpty());

        assertEquals(List.of(5L, 3L, 1L), ids);
    }
}
