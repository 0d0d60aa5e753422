package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link ChronicleCounterCrashTest} kills: opens a {@link ChronicleCounterStore} and
 * counts on it from several threads until it is killed. Not a test (JUnit is not needed to run it).
 *
 * <p>Prints {@code ready} once the store is open, then for every update one line
 * {@code ack <key index> <thread> <n>}, written with a single {@code write} to stdout (one pipe
 * write of a short line is atomic) <b>after</b> the update returned and before the thread starts
 * its next update. So when the process is killed, each thread has at most one update that is not
 * acknowledged, on the key it was working on. An update of key {@code k} is a
 * {@code getAndAdd(+1)} on cell {@value #RAW_CELL} of its cells, then a {@code PeriodBudget.add}
 * of 1 on the token budget of those cells at {@link #NOW}.
 *
 * <p>Arguments: the store directory, the capacity, the number of threads.
 */
public final class CounterCrashChild {

    /** The counted keys: (key id, usage epoch); the same id in two epochs is two counters. */
    static final String[] KEY_IDS = {"key_zziPgMOOy85AbpfC7hoJ", "key_crashB", "key_zziPgMOOy85AbpfC7hoJ"};
    static final long[] EPOCHS = {1, 1, 2};
    static final int RAW_CELL = 0;
    static final int BUDGET_AT = RollingWindow.CELLS;
    static final long NOW = 1_767_225_600_000L;
    /** Never runs for ever when nobody kills it. */
    private static final long GIVE_UP_SECONDS = 120;

    private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private CounterCrashChild() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        Path dir = Path.of(args[0]);
        long capacity = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        Thread giveUp = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(GIVE_UP_SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("not killed after " + GIVE_UP_SECONDS + " s: exiting");
            Runtime.getRuntime().halt(3);
        }, "give-up");
        giveUp.setDaemon(true);
        giveUp.start();

        ChronicleCounterStore store = ChronicleCounterStore.open(dir, capacity); // never closed: killed
        CounterCells[] cells = new CounterCells[KEY_IDS.length];
        PeriodBudget[] budgets = new PeriodBudget[KEY_IDS.length];
        for (int k = 0; k < KEY_IDS.length; k++) {
            cells[k] = store.cellsFor(KEY_IDS[k], EPOCHS[k]);
            budgets[k] = new PeriodBudget(cells[k], BUDGET_AT, ResetPeriod.NEVER);
        }
        emit("ready " + ProcessHandle.current().pid());
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> count(cells, budgets, thread), "counter-" + t);
            worker.start();
        }
    }

    private static void count(CounterCells[] cells, PeriodBudget[] budgets, int thread) {
        try {
            for (long n = 1; ; n++) {
                for (int k = 0; k < cells.length; k++) {
                    cells[k].getAndAdd(RAW_CELL, 1);
                    budgets[k].add(NOW, 1);
                    emit("ack " + k + " " + thread + " " + n);
                }
            }
        } catch (IOException | RuntimeException e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }

    /** One line in one write: nothing is buffered in this process when it is killed. */
    private static void emit(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (OUT) {
            OUT.write(bytes);
        }
    }
}
