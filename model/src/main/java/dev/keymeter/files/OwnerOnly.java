package dev.keymeter.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Owner-only directories (0700) and files (0600) in keymeter's data directory.
 *
 * <p>Java cannot set the process's umask, and the libraries that write here (SQLite, Chronicle Map)
 * create files with their own modes, typically 0644. So directories are created 0700 from the start
 * (nothing inside is reachable by others from the first moment), files keymeter writes itself are
 * created 0600, and files a library created are {@linkplain #restrict restricted} right after:
 * inside a 0700 directory the moment in between exposes nothing. SQLite gives its {@code -wal} and
 * {@code -shm} files the mode of the database file, so a database created 0600 keeps them 0600.
 *
 * <p>On a file system without POSIX permissions (Windows) these are plain creations.
 */
public final class OwnerOnly {

    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /** Creates {@code dir} and any missing parents with mode 0700; existing ones keep their mode. */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            return absolute;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, attribute(absolute.getParent(), DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(absolute)) {
                throw raced;
            }
        }
        return absolute;
    }

    /**
     * Creates {@code file} with mode 0600, failing if it exists ({@code O_EXCL}): a file someone else
     * placed there first is never written into.
     */
    public static Path createNewFile(Path file) throws IOException {
        createDirectories(file.toAbsolutePath().getParent());
        return Files.createFile(file, attribute(file.toAbsolutePath().getParent(), FILE));
    }

    /**
     * Sets {@code path} to 0600 (a file) or 0700 (a directory), when it exists and permissions exist;
     * a symbolic link is left alone.
     *
     * <p>By path ({@code chmod}), never through a file descriptor: the JDK's no-follow variant opens
     * the file, and closing any descriptor of a file drops every POSIX lock this process holds on it —
     * the open markers and the replica lock are such locks ({@code ChronicleCounterCrashTest} catches it).
     */
    public static void restrict(Path path) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(path)) {
            return;
        }
        view.setPermissions(Files.isDirectory(path) ? DIRECTORY : FILE);
    }

    /**
     * Refuses a data directory that group or others may write to: whoever can write there can replace
     * the store or the replica, or read a bootstrap key file created in a directory they control.
     *
     * @throws IOException naming the directory, its mode and the fix
     */
    public static void requireNotWritableByOthers(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        PosixFileAttributeView view = Files.getFileAttributeView(absolute, PosixFileAttributeView.class);
        if (view == null || !Files.isDirectory(absolute)) {
            return;
        }
        Set<PosixFilePermission> mode = view.readAttributes().permissions();
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the data directory " + absolute + " is writable by group or others (mode "
                    + PosixFilePermissions.toString(mode) + "); keymeter keeps keys there: run  chmod 700 "
                    + absolute + "  and start again");
        }
    }

    /** Creates (0700) or checks the data directory: what every keymeter process does first. */
    public static Path prepareDataDirectory(Path dir) throws IOException {
        Path absolute = createDirectories(dir);
        requireNotWritableByOthers(absolute);
        return absolute;
    }

    private static FileAttribute<?>[] attribute(Path parent, Set<PosixFilePermission> mode) {
        boolean posix = parent == null
                || Files.getFileAttributeView(parent, PosixFileAttributeView.class) != null;
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
    }
}
