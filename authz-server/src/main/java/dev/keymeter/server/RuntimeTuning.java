package dev.keymeter.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The JVM settings a process mode runs on, said at start-up: a process started without the launcher
 * ({@code java -jar keymeter.jar serve}) runs on the JVM's defaults, measured at 0.75x the throughput
 * of the tuned runtime, and the banner says so rather than leave it to be found under load.
 */
final class RuntimeTuning {

    /** The leak detector samples buffers on Check's path; only tests want it. */
    private static final List<String> LEAK_DETECTION = List.of(
            "io.netty.leakDetection.level", "io.grpc.netty.shaded.io.netty.leakDetection.level");

    private RuntimeTuning() {
    }

    /**
     * Turns Netty's leak detection off unless the command line chose a level. Must run before the
     * first Netty class loads: the level is read once.
     */
    static void disableLeakDetectionUnlessSet() {
        for (String property : LEAK_DETECTION) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "disabled");
            }
        }
    }

    /** One banner line: collector, heap, and whether they are the tuned ones. */
    static String describe() {
        String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        long maxHeapMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        return collectors + ", max heap " + maxHeapMb + " MB" + (tuned()
                ? " (tuned)"
                : " (JVM defaults: bin/keymeter starts it tuned, see docs/deploying.md)");
    }

    /** The launcher's and the image's runtime: ParallelGC with a fixed heap. */
    static boolean tuned() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return args.contains("-XX:+UseParallelGC") && args.stream().anyMatch(a -> a.startsWith("-Xms"));
    }
}
