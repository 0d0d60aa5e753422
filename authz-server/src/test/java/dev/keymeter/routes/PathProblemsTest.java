package dev.keymeter.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths no route may be matched against, and ordinary paths that must stay matchable. */
class PathProblemsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/v1/models/%2e%2e/chat/completions | holds an encoded dot-segment (%2e)",
            "/v1/models/%2E%2e/chat/completions | holds an encoded dot-segment (%2e)",
            "/v1/models/.%2e/chat/completions   | holds an encoded dot-segment (%2e)",
            "/v1/models/%2e./chat/completions   | holds an encoded dot-segment (%2e)",
            "/v1/models/%2e/x                   | holds an encoded dot-segment (%2e)",
            "/v1/datasets/%2E%2E                | holds an encoded dot-segment (%2e)",
            "/v1/models/../chat/completions     | holds a dot-segment (/./ or /../)",
            "/v1/models/./x                     | holds a dot-segment (/./ or /../)",
            "/v1/models\\..\\chat/completions   | holds a backslash",
            "/v1/models/x\\y                    | holds a backslash",
            "/v1/models/%5c..%5cchat            | holds an encoded backslash (%5C)",
            "/v1/models%2Fchat                  | holds an encoded slash (%2F)",
            "/v1/projects//other/prompts        | holds an empty segment (//)",
            "//v1/models                        | holds an empty segment (//)",
    })
    void of_badPath_namesTheProblem(String path, String problem) {
        assertEquals(problem, PathProblems.of(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/v1/models/gpt-4o", "/v1/files/a.b", "/v1/files/..x",
            "/v1/files/...", "/v1/files/%2e%2e%2e", "/v1/models/a%20b", "/v1/models?q=..%2f\\", "", "/", "/v1/x%2",
            "/v1/models/", "/v1/models?next=//x",
            "/v1/x%"})
    void of_ordinaryPath_isNull(String path) {
        assertNull(PathProblems.of(path));
    }
}
