package dev.keymeter.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The import rules the {@code package-info.java} files of the quota module state, held on the
 * compiled classes. A rule that fails names the class and the forbidden dependency.
 */
class QuotaPackageRulesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keymeter");

    @Test
    void quota_importsNoTransportOrMetrics() {
        noClasses().that().resideInAPackage("dev.keymeter.quota..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "io.micrometer..", "io.envoyproxy..")
                .because("quota's package-info: plain Java and Chronicle Map only")
                .check(CLASSES);
    }

    @Test
    void chronicle_importsNoTransportMetricsOrCommands() {
        noClasses().that().resideInAPackage("dev.keymeter.chronicle..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "io.micrometer..", "io.envoyproxy..", "picocli..")
                .because("chronicle's package-info: storage plumbing the hot path may use")
                .check(CLASSES);
    }

    @Test
    void files_importsOnlyTheJdk() {
        noClasses().that().resideInAPackage("dev.keymeter.files..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "net.openhft..", "picocli..", "java.sql..")
                .because("files' package-info: plain java.nio.file")
                .check(CLASSES);
    }
}
