package dev.keymeter.bench;

/**
 * The Chronicle Map JVM flags for JMH's forked JVMs (the parent pom's {@code chronicle.jvm.flags}):
 * a fork is started with {@code -cp}, so the jar manifest's Add-Opens do not reach it.
 */
final class ChronicleJvmFlags {
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String EXPORT_JAVAC = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String NO_ANNOUNCER = "-Dchronicle.announcer.disable=true";

    private ChronicleJvmFlags() {
    }
}
