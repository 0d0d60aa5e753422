package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lines as /proc/self/mounts writes them, from a container run with {@code --tmpfs /tmp}. */
class MountOptionsTest {

    private static final String CONTAINER = String.join("\n",
            "overlay / overlay rw,relatime,lowerdir=/l,upperdir=/u,workdir=/w 0 0",
            "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
            "tmpfs /tmp tmpfs rw,nosuid,nodev,noexec,relatime 0 0",
            "/dev/vda /data ext4 rw,relatime 0 0",
            "");

    @Test
    void noexecMountOf_aDirectoryOnANoexecTmpfs_namesItsMountPoint() {
        assertEquals(Optional.of("/tmp"), MountOptions.noexecMountOf(CONTAINER, Path.of("/tmp")));
        assertEquals(Optional.of("/tmp"), MountOptions.noexecMountOf(CONTAINER, Path.of("/tmp/native")));
    }

    @Test
    void noexecMountOf_aDirectoryOnAnExecMount_isEmpty() {
        assertEquals(Optional.empty(), MountOptions.noexecMountOf(CONTAINER, Path.of("/data/tmp")));
        assertEquals(Optional.empty(), MountOptions.noexecMountOf(CONTAINER, Path.of("/var/tmp")));
    }

    @Test
    void noexecMountOf_aSiblingWhoseNameStartsTheSame_isNotOnThatMount() {
        assertEquals(Optional.empty(), MountOptions.noexecMountOf(CONTAINER, Path.of("/tmpfiles")));
    }

    @Test
    void noexecMountOf_aMountStackedOnTheSamePoint_hidesTheOneBelow() {
        String remounted = CONTAINER + "tmpfs /tmp tmpfs rw,nosuid,nodev,relatime 0 0\n";
        assertEquals(Optional.empty(), MountOptions.noexecMountOf(remounted, Path.of("/tmp")));
        String hidden = "tmpfs /tmp tmpfs rw 0 0\ntmpfs /tmp tmpfs rw,noexec 0 0\n";
        assertEquals(Optional.of("/tmp"), MountOptions.noexecMountOf(hidden, Path.of("/tmp")));
    }

    @Test
    void noexecMountOf_aMountPointWithASpace_isReadFromItsOctalEscape() {
        String mounts = "/dev/vda / ext4 rw 0 0\ntmpfs /srv/my\\040tmp tmpfs rw,noexec 0 0\n";
        assertEquals(Optional.of("/srv/my tmp"), MountOptions.noexecMountOf(mounts, Path.of("/srv/my tmp/x")));
    }

    @Test
    void noexecMountOf_noMountsAtAll_isEmpty() {
        assertEquals(Optional.empty(), MountOptions.noexecMountOf("", Path.of("/tmp")));
    }
}
