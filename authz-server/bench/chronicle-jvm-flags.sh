# Sourced by the bench scripts: the JVM flags Chronicle Map needs (as the parent pom's
# chronicle.jvm.flags), for the programs they start with -cp, which the jar manifest's Add-Opens do
# not reach.
CHRONICLE_JVM_FLAGS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true
)
