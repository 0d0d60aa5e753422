package dev.keymeter.replication;

import com.google.protobuf.Timestamp;
import dev.keymeter.proto.replication.v1.KeyLastUsed;
import dev.keymeter.proto.replication.v1.KeyUsageFigures;
import dev.keymeter.proto.replication.v1.LastUsedReport;
import dev.keymeter.proto.replication.v1.UsageReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The rules a sidecar report must keep, checked before anything is recorded: a report is taken whole
 * or refused whole, with the first bad field named ({@code keys[3].last_used_time: …}). Only numbers,
 * times and validated key ids are echoed.
 *
 * <ul>
 *   <li>{@code sidecar_id}: 1–128 printable ASCII characters (usage reports need one: figures are
 *       kept per sidecar; last-used reports may leave it empty).</li>
 *   <li>{@code keys}: at most {@value #MAX_ENTRIES}; each {@code key_id} shaped {@code key_…} and a
 *       stored key (any status).</li>
 *   <li>Times: valid timestamps, not before 2020, and not more than {@link #MAX_SKEW} ahead of the
 *       control plane's clock: a sidecar's clock may drift a little, a last-used time far in the
 *       future would stay "latest" for good.</li>
 *   <li>{@code applied_revision}: not negative.</li>
 *   <li>Figures: between 0 and {@value #MAX_FIGURE} (tokens, micro-USD: a billion dollars), and
 *       requests and reservations between 0 and {@value #MAX_COUNT}.</li>
 * </ul>
 * Stateless; thread-safe.
 */
final class SidecarReports {

    static final int MAX_ENTRIES = 10_000;
    static final Duration MAX_SKEW = Duration.ofMinutes(5);
    static final long MAX_FIGURE = 1_000_000_000_000_000L;
    static final long MAX_COUNT = 1_000_000_000L;
    private static final Instant EARLIEST = Instant.parse("2020-01-01T00:00:00Z");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{1,64}");

    private SidecarReports() {
    }

    /** A report refused: the field and the rule it breaks. */
    static final class Invalid extends RuntimeException {
        Invalid(String field, String rule) {
            super(field + ": " + rule, null, false, false);
        }
    }

    /** Checks {@code report} against {@code now}; {@code existing} answers which key ids are stored. */
    static void check(LastUsedReport report, Instant now, Function<List<String>, Set<String>> existing) {
        sidecarId(report.getSidecarId(), false);
        count(report.getKeysCount());
        List<String> ids = new ArrayList<>(report.getKeysCount());
        for (int i = 0; i < report.getKeysCount(); i++) {
            KeyLastUsed k = report.getKeys(i);
            ids.add(keyId("keys[" + i + "].key_id", k.getKeyId()));
            time("keys[" + i + "].last_used_time", k.hasLastUsedTime() ? k.getLastUsedTime() : null, now);
        }
        exist(ids, existing);
    }

    static void check(UsageReport report, Instant now, Function<List<String>, Set<String>> existing) {
        sidecarId(report.getSidecarId(), true);
        figure("applied_revision", report.getAppliedRevision(), Long.MAX_VALUE);
        count(report.getKeysCount());
        List<String> ids = new ArrayList<>(report.getKeysCount());
        for (int i = 0; i < report.getKeysCount(); i++) {
            KeyUsageFigures k = report.getKeys(i);
            String at = "keys[" + i + "].";
            ids.add(keyId(at + "key_id", k.getKeyId()));
            time(at + "as_of_time", k.hasAsOfTime() ? k.getAsOfTime() : null, now);
            if (k.hasUsageResetTime()) {
                time(at + "usage_reset_time", k.getUsageResetTime(), now);
            }
            if (k.hasPeriodStartTime()) {
                time(at + "period_start_time", k.getPeriodStartTime(), now);
            }
            figure(at + "tokens_used", k.getTokensUsed(), MAX_FIGURE);
            figure(at + "tokens_reserved", k.getTokensReserved(), MAX_FIGURE);
            figure(at + "cost_used_micro_usd", k.getCostUsedMicroUsd(), MAX_FIGURE);
            figure(at + "cost_reserved_micro_usd", k.getCostReservedMicroUsd(), MAX_FIGURE);
            figure(at + "requests_last_minute", k.getRequestsLastMinute(), MAX_COUNT);
            figure(at + "reservations_in_flight", k.getReservationsInFlight(), MAX_COUNT);
            // Since the sidecar started: it outgrows a per-minute count within days, so the figure's bound.
            figure(at + "requests_total", k.getRequestsTotal(), MAX_FIGURE);
        }
        exist(ids, existing);
    }

    private static void sidecarId(String id, boolean required) {
        if (id.isEmpty()) {
            if (required) {
                throw new Invalid("sidecar_id", "required");
            }
            return;
        }
        if (id.length() > 128 || !id.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new Invalid("sidecar_id", "must be 1–128 printable ASCII characters");
        }
    }

    private static void count(int n) {
        if (n > MAX_ENTRIES) {
            throw new Invalid("keys", "at most " + MAX_ENTRIES + " entries per report, got " + n);
        }
    }

    private static String keyId(String field, String id) {
        if (!KEY_ID.matcher(id).matches()) {
            throw new Invalid(field, id.isEmpty() ? "required" : "not a key id (key_…)");
        }
        return id;
    }

    private static void time(String field, Timestamp t, Instant now) {
        if (t == null) {
            throw new Invalid(field, "required");
        }
        if (t.getNanos() < 0 || t.getNanos() > 999_999_999
                || t.getSeconds() < EARLIEST.getEpochSecond() || t.getSeconds() > 253402300799L) {
            throw new Invalid(field, "not a valid time after 2020-01-01");
        }
        Instant at = Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
        if (at.isAfter(now.plus(MAX_SKEW))) {
            throw new Invalid(field, at + " is more than " + MAX_SKEW.toMinutes() + " minutes ahead of the "
                    + "control plane's clock (" + now + ")");
        }
    }

    private static void figure(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new Invalid(field, "must be between 0 and " + max + ", was " + value);
        }
    }

    /** One store read for the whole report; the first unknown id, in report order, is named. */
    private static void exist(List<String> ids, Function<List<String>, Set<String>> existing) {
        if (ids.isEmpty()) {
            return;
        }
        Set<String> found = existing.apply(ids);
        for (int i = 0; i < ids.size(); i++) {
            if (!found.contains(ids.get(i))) {
                throw new Invalid("keys[" + i + "].key_id", "no key " + ids.get(i));
            }
        }
    }
}
