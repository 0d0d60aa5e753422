package dev.keymeter.routes;

import java.util.Map;

/**
 * An open-addressing hash index from path patterns to their {@link MethodRules}, probed with the
 * {@link String#hashCode()} of a prefix of the request path. {@link RouteTable#match} computes that
 * hash incrementally while it walks the path once, so looking up every prefix of a path costs no
 * substring, no allocation and one probe per {@code /}.
 *
 * <p>Immutable after construction; the arrays are never written again, and the instance reaches other
 * threads through the final fields of {@link RouteTable}.
 */
final class PathIndex {

    private final String[] patterns;
    private final int[] hashes;
    private final MethodRules[] rules;
    private final int mask;

    PathIndex(Map<String, MethodRules> byPattern) {
        int capacity = 4;
        while (capacity < byPattern.size() * 4) {
            capacity <<= 1; // a load factor of at most 1/4 keeps misses (the common probe) to one slot
        }
        patterns = new String[capacity];
        hashes = new int[capacity];
        rules = new MethodRules[capacity];
        mask = capacity - 1;
        byPattern.forEach(this::insert);
    }

    private void insert(String pattern, MethodRules methodRules) {
        int hash = pattern.hashCode();
        int slot = spread(hash) & mask;
        while (patterns[slot] != null) {
            slot = (slot + 1) & mask;
        }
        patterns[slot] = pattern;
        hashes[slot] = hash;
        rules[slot] = methodRules;
    }

    /** The rules of the pattern equal to {@code path[0, length)}, whose String hash is {@code hash}; or null. */
    MethodRules find(String path, int length, int hash) {
        for (int slot = spread(hash) & mask; patterns[slot] != null; slot = (slot + 1) & mask) {
            String pattern = patterns[slot];
            if (hashes[slot] == hash && pattern.length() == length && path.startsWith(pattern)) {
                return rules[slot];
            }
        }
        return null;
    }

    /** Mixes high bits into the low bits that pick the slot: String hashes of similar paths often share low bits. */
    private static int spread(int hash) {
        return (hash * 0x9E3779B9) >>> 16 ^ hash;
    }
}
