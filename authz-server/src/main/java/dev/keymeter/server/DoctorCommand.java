package dev.keymeter.server;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.MapLayout;
import dev.keymeter.chronicle.PersistedMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import javax.tools.ToolProvider;
import net.openhft.chronicle.core.analytics.AnalyticsFacade;
import net.openhft.chronicle.values.Values;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymeter doctor}: can this machine run keymeter? One line per check, OK or FAIL, and
 * exit code 0 only when every check passed.
 *
 * <p>The checks are the ways a deployment has failed before it served a request: an old Java, a
 * JRE without the compiler Chronicle needs at run time, a data directory it cannot write, JVM
 * flags missing so Chronicle cannot map a file, and Chronicle's analytics switched back on.
 */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = "Checks that this machine can run keymeter. Exit code 0 when every check passes.")
public final class DoctorCommand implements Callable<Integer> {

    /** The scratch map's file in the data directory; deleted again when the check passes. */
    static final String SCRATCH_FILE = "doctor-scratch.cmap";

    private static final int OLDEST_JAVA = 17;
    private static final int FIRST_JAVA_WARNING_ABOUT_UNSAFE = 24;
    private static final String UNSAFE_FLAG = "--sun-misc-unsafe-memory-access=allow";

    @Option(
            names = "--data-dir",
            defaultValue = "./data",
            description = "Where keymeter keeps its files (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Spec CommandSpec spec;

    /**
     * A Chronicle value interface, so that the scratch map makes Chronicle generate and compile a
     * class at run time: what Chronicle does for any value class it does not find compiled (keymeter
     * ships its maps' header class compiled, see {@code dev.keymeter.chronicle}).
     */
    public interface ScratchValue {
        long getNumber();

        void setNumber(long number);
    }

    /** Thrown by a check that ran and found a problem. */
    private static final class CheckFailed extends Exception {
        CheckFailed(String message) {
            super(message);
        }
    }

    /** One check: returns what it found, or throws to say what is wrong. */
    private interface Check {
        String run() throws Exception;
    }

    @Override
    public Integer call() {
        List<String> failed = new ArrayList<>();
        run("java", this::javaVersion, failed);
        run("jdk.compiler", this::compilerModule, failed);
        run("data dir", this::dataDirWritable, failed);
        run("tmp dir", this::tempDirUsable, failed);
        run("scratch map", this::scratchMap, failed);
        run("analytics", this::analyticsDisabled, failed);
        if (failed.isEmpty()) {
            return 0;
        }
        spec.commandLine().getErr().println("doctor: failed: " + String.join(", ", failed));
        return 1;
    }

    // A check that trips over missing JVM flags fails with an Error (ExceptionInInitializerError,
    // AssertionError from Chronicle): reporting exactly that is the point of this command.
    private void run(String name, Check check, List<String> failed) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.printf("OK   %-12s %s%n", name, check.run());
        } catch (Exception | LinkageError | AssertionError e) {
            failed.add(name);
            out.printf("FAIL %-12s %s%n", name, describe(e));
        }
        out.flush();
    }

    private String javaVersion() throws CheckFailed {
        Runtime.Version version = Runtime.version();
        String found = version + " (" + System.getProperty("java.vendor") + ")";
        if (version.feature() < OLDEST_JAVA) {
            throw new CheckFailed(found + ": keymeter needs Java " + OLDEST_JAVA + " or newer");
        }
        boolean unsafeAllowed =
                ManagementFactory.getRuntimeMXBean().getInputArguments().contains(UNSAFE_FLAG);
        if (version.feature() >= FIRST_JAVA_WARNING_ABOUT_UNSAFE && !unsafeAllowed) {
            return found + "; pass " + UNSAFE_FLAG + " to silence the JDK's Unsafe warning";
        }
        return found;
    }

    private String compilerModule() throws CheckFailed {
        boolean present = ModuleLayer.boot().findModule("jdk.compiler").isPresent();
        if (!present || ToolProvider.getSystemJavaCompiler() == null) {
            throw new CheckFailed(
                    "missing: this runtime is a JRE, and Chronicle compiles classes at run time; use a JDK");
        }
        return "present";
    }

    private String dataDirWritable() throws Exception {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new CheckFailed(dir + " exists and is not a directory");
        }
        dev.keymeter.files.OwnerOnly.createDirectories(dir);
        try {
            dev.keymeter.files.OwnerOnly.requireNotWritableByOthers(dir);
        } catch (java.io.IOException unsafe) {
            throw new CheckFailed(unsafe.getMessage());
        }
        Path probe = Files.createTempFile(dir, ".doctor-", ".tmp");
        try {
            Files.write(probe, new byte[] {1, 2, 3});
        } finally {
            Files.delete(probe);
        }
        return dir + " is writable";
    }

    private String tempDirUsable() throws CheckFailed {
        Path tmp = TempDirectory.current();
        try {
            TempDirectory.requireUsable(tmp);
        } catch (IOException unusable) {
            throw new CheckFailed(unusable.getMessage()); // the message names the directory and the fix
        }
        return tmp + " (java.io.tmpdir) is writable and not on a noexec mount";
    }

    private String scratchMap() throws Exception {
        Path file = dataDir.toAbsolutePath().normalize().resolve(SCRATCH_FILE);
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        boolean recovered;
        try (PersistedMap<byte[], ScratchValue> scratch = ChronicleFiles.open(scratchLayout(), file)) {
            recovered = scratch.recovered();
            ScratchValue written = Values.newHeapInstance(ScratchValue.class);
            written.setNumber(42);
            scratch.map().put(key, written);
            ScratchValue read = scratch.map().getUsing(key, Values.newHeapInstance(ScratchValue.class));
            if (read == null || read.getNumber() != 42) {
                throw new CheckFailed("wrote 42 to " + file + " but read back " + read);
            }
        }
        Files.delete(file);
        return "created, wrote, read back, closed and deleted " + file
                + (recovered ? " (recovered it first: the last run did not close it)" : "");
    }

    private String analyticsDisabled() throws CheckFailed {
        if (!Boolean.getBoolean("chronicle.analytics.disable")) {
            throw new CheckFailed("system property chronicle.analytics.disable is not true");
        }
        if (isLoadable("net.openhft.chronicle.analytics.Analytics")) {
            throw new CheckFailed("chronicle-analytics is on the classpath");
        }
        if (AnalyticsFacade.isEnabled()) {
            throw new CheckFailed("Chronicle reports its analytics as enabled");
        }
        return "chronicle.analytics.disable=true and chronicle-analytics is not on the classpath";
    }

    /** Built on first use, not at class load: `keymeter --help` must not wake Chronicle up. */
    static MapLayout<byte[], ScratchValue> scratchLayout() {
        ScratchValue sample = Values.newHeapInstance(ScratchValue.class);
        return new MapLayout<>(
                "doctor-scratch", byte[].class, ScratchValue.class, new byte[32], sample, 1_000);
    }

    private static boolean isLoadable(String className) {
        try {
            Class.forName(className, false, DoctorCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException expected) {
            return false;
        }
    }

    private static String describe(Throwable failure) {
        if (failure instanceof CheckFailed) {
            return failure.getMessage();
        }
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
