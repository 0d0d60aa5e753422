package dev.keymeter.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The import rules the {@code package-info.java} files of the process module state, held on the
 * compiled classes. A rule that fails names the class and the forbidden dependency.
 */
class SidecarPackageRulesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keymeter");

    /**
     * The sidecar shares the key model ({@code dev.keymeter.keys}, module {@code model}), TLS and gRPC
     * plumbing with the control plane, and the replication protocol's generated messages; nothing of
     * the control plane itself. Only the process commands ({@code dev.keymeter.server}) assemble both.
     */
    @Test
    void sidecarPackages_importNothingOfTheControlPlane() {
        noClasses().that().resideInAnyPackage("dev.keymeter.check..", "dev.keymeter.replica..",
                        "dev.keymeter.usage..", "dev.keymeter.routes..", "dev.keymeter.metrics..",
                        "dev.keymeter.fleet..", "dev.keymeter.ingest..", "dev.keymeter.sidecar..",
                        "dev.keymeter.logging..", "dev.keymeter.threadlog..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.keymeter.admin..",
                        "dev.keymeter.lifecycle..", "dev.keymeter.store..", "dev.keymeter.replication..",
                        "dev.keymeter.cli..", "dev.keymeter.audit..", "dev.keymeter.wire..")
                .check(CLASSES);
    }

    @Test
    void routes_knowsRequestsNotKeys() {
        noClasses().that().resideInAPackage("dev.keymeter.routes..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.keymeter.check..", "dev.keymeter.replica..", "dev.keymeter.server..")
                .check(CLASSES);
    }

    @Test
    void replica_doesNotImportCheckOrTheCommands() {
        noClasses().that().resideInAPackage("dev.keymeter.replica..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.keymeter.check..", "dev.keymeter.server..")
                .check(CLASSES);
    }

    @Test
    void metrics_doesNotImportWhatWiresItIn() {
        noClasses().that().resideInAPackage("dev.keymeter.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.keymeter.server..", "dev.keymeter.sidecar..")
                .check(CLASSES);
    }

    @Test
    void fleet_importsNoTransportNorTheHotPath() {
        noClasses().that().resideInAPackage("dev.keymeter.fleet..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "io.envoyproxy..", "dev.keymeter.check..")
                .check(CLASSES);
    }

    @Test
    void threadlog_isALeaf() {
        classes().that().resideInAPackage("dev.keymeter.threadlog..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.keymeter.threadlog..")
                .check(CLASSES);
    }

    @Test
    void ingest_isUsedOnlyByTheSidecarAndTheCommands() {
        noClasses().that().resideOutsideOfPackages(
                        "dev.keymeter.ingest..", "dev.keymeter.sidecar..", "dev.keymeter.server..")
                .should().dependOnClassesThat().resideInAPackage("dev.keymeter.ingest..")
                .check(CLASSES);
    }

    @Test
    void sidecar_isImportedOnlyByTheCommands() {
        noClasses().that().resideOutsideOfPackages("dev.keymeter.sidecar..", "dev.keymeter.server..")
                .should().dependOnClassesThat().resideInAPackage("dev.keymeter.sidecar..")
                .check(CLASSES);
    }
}
