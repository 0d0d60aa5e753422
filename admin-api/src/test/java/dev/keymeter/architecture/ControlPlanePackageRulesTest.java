package dev.keymeter.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.UnsafeText;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The import rules the {@code package-info.java} files of the control plane's module state, held on
 * the compiled classes. A rule that fails names the class and the forbidden dependency.
 */
class ControlPlanePackageRulesTest {

    private static final String GRPC = "io.grpc..";
    private static final String JDBC = "java.sql..";
    private static final String GENERATED = "dev.keymeter.proto..";
    private static final String PROTOBUF = "com.google.protobuf..";

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keymeter");

    @Test
    void cli_talksOnlyThroughTheGeneratedStubs() {
        noClasses().that().resideInAPackage("dev.keymeter.cli..")
                .should().dependOnClassesThat(resideInAnyPackage(
                        "dev.keymeter.store..", "dev.keymeter.admin..", "dev.keymeter.lifecycle..",
                        "dev.keymeter.keys..").and(not(type(UnsafeText.class))).and(not(type(LimitBound.class))))
                .because("the server is the one place that decides what is valid; the CLI escapes, when it"
                        + " prints, exactly the characters the server refuses (UnsafeText), and names the bound"
                        + " of a number too large to send (LimitBound)")
                .check(CLASSES);
    }

    @Test
    void keys_isPlainValues() {
        noClasses().that().resideInAPackage("dev.keymeter.keys..")
                .should().dependOnClassesThat().resideInAnyPackage(GRPC, JDBC, GENERATED, PROTOBUF)
                .because("the admin API and the store translate to and from the key model")
                .check(CLASSES);
    }

    @Test
    void lifecycle_isTransportNeutral() {
        noClasses().that().resideInAPackage("dev.keymeter.lifecycle..")
                .should().dependOnClassesThat().resideInAnyPackage(GRPC, JDBC, GENERATED, PROTOBUF)
                .because("dev.keymeter.admin translates requests into lifecycle calls")
                .check(CLASSES);
    }

    @Test
    void store_importsNoTransport() {
        noClasses().that().resideInAPackage("dev.keymeter.store..")
                .should().dependOnClassesThat().resideInAnyPackage(GRPC, GENERATED, PROTOBUF)
                .check(CLASSES);
    }

    @Test
    void audit_isValuesOnly() {
        noClasses().that().resideInAPackage("dev.keymeter.audit..")
                .should().dependOnClassesThat().resideInAnyPackage(GRPC, JDBC)
                .check(CLASSES);
    }

    @Test
    void replication_doesNotImportTheAdminApiOrTheCli() {
        noClasses().that().resideInAPackage("dev.keymeter.replication..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.keymeter.admin..", "dev.keymeter.cli..")
                .because("replication and the admin API share only dev.keymeter.wire")
                .check(CLASSES);
    }

    @Test
    void http_transcodesToGrpc_withoutTheRulesOrTheStore() {
        noClasses().that().resideInAPackage("dev.keymeter.http..")
                .should().dependOnClassesThat(resideInAnyPackage("dev.keymeter.admin..", "dev.keymeter.store..",
                        "dev.keymeter.cli..", "dev.keymeter.replication..", JDBC)
                        .and(not(type(dev.keymeter.store.StoreException.class))))
                .because("the JSON API calls the gRPC service, which holds the one copy of the rules; whoami names"
                        + " the caller with the Authenticator and reports an unreachable store as gRPC does")
                .check(CLASSES);
    }

    @Test
    void tls_dependsOnlyOnGrpcAndTheJdk() {
        noClasses().that().resideInAPackage("dev.keymeter.tls..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.keymeter.admin..", "dev.keymeter.lifecycle..", "dev.keymeter.store..",
                        "dev.keymeter.replication..", "dev.keymeter.cli..", "dev.keymeter.keys..", JDBC)
                .because("every module can use it")
                .check(CLASSES);
    }
}
