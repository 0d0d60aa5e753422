package dev.keymeter.keys;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The model module is the vocabulary both sides share, so it depends on nothing but the JDK: no gRPC,
 * no protobuf, no JDBC, no Chronicle, nothing else of keymeter.
 */
class ModelPackageRulesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keymeter.keys", "dev.keymeter.files");

    @Test
    void model_dependsOnlyOnTheJdk() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage(
                        "java..", "javax.crypto..", "dev.keymeter.keys..", "dev.keymeter.files..")
                .check(CLASSES);
    }

    @Test
    void keys_doesNotUseTheFileRules() {
        classes().that().resideInAPackage("dev.keymeter.keys..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.keymeter.keys..")
                .check(CLASSES);
    }
}
