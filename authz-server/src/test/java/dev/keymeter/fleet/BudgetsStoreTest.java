package dev.keymeter.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --budgets-store} values: what each form means, and errors that name the setting without the password. */
class BudgetsStoreTest {

    @Test
    void parse_localOrEmpty_isLocal() {
        assertTrue(BudgetsStore.parse("local").local());
        assertTrue(BudgetsStore.parse("").local());
        assertEquals("local", BudgetsStore.LOCAL.toString());
    }

    @Test
    void parse_standaloneWithPasswordAndDatabase() {
        BudgetsStore s = BudgetsStore.parse("redis://:p%40ss@10.0.0.5:6380/2");
        assertFalse(s.local());
        assertFalse(s.cluster());
        assertFalse(s.tls());
        assertEquals(List.of(new BudgetsStore.Node("10.0.0.5", 6380)), s.nodes());
        assertEquals("p@ss", s.password());
        assertEquals(2, s.database());
        assertEquals("redis://:***@10.0.0.5:6380/2", s.toString());
    }

    @Test
    void parse_clusterWithTlsUserAndIpv6() {
        BudgetsStore s = BudgetsStore.parse("rediss-cluster://app:secret@h1:7000,[::1]:7001");
        assertTrue(s.cluster());
        assertTrue(s.tls());
        assertEquals("app", s.user());
        assertEquals(List.of(new BudgetsStore.Node("h1", 7000), new BudgetsStore.Node("::1", 7001)), s.nodes());
        assertEquals("rediss-cluster://app:***@h1:7000,[::1]:7001", s.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memcached://h:1", "redis://h", "redis://h:0", "redis://h:70000", "redis://a:1,b:2",
            "redis-cluster://h:1/3", "redis://h:1/x", "redis://h:1/16", "redis-cluster://h:1,,h:2", "h:6379"})
    void parse_badValue_namesTheSetting(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BudgetsStore.parse(value));
        assertTrue(e.getMessage().startsWith("--budgets-store: "), e.getMessage());
    }

    @Test
    void parse_badValueWithPassword_neverShowsThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BudgetsStore.parse("redis://user:hunter2@host:notaport"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("user:***@"), e.getMessage());
    }
}
