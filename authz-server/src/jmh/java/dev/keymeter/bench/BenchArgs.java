package dev.keymeter.bench;

/**
 * The positional arguments of the benchmark programs run by scripts ({@link KeyCountInterleaved},
 * {@link KeyCountOverGrpc}): each one checked before any work starts, so that a bad argument ends the
 * run at once with a message that names it, instead of minutes later or not at all.
 */
final class BenchArgs {

    private BenchArgs() {
    }

    /**
     * Ends the run for a bad argument: {@code program: <what was wrong>} and the usage on stderr, exit
     * status 2.
     */
    static void exitWithUsage(String program, String usage, IllegalArgumentException bad) {
        System.err.println(program + ": " + bad.getMessage());
        System.err.println("usage: " + usage);
        System.exit(2);
    }

    /** Argument {@code i} as a whole number of at least 1, or {@code otherwise} when it is absent. */
    static int atLeastOne(String[] args, int i, String name, int otherwise) {
        if (args.length <= i) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(args[i]);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with the name of the argument
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least 1, was '" + args[i] + "'");
    }

    /** Argument {@code i}, one of {@code choices}, or the first of them when it is absent. */
    static String oneOf(String[] args, int i, String name, String... choices) {
        if (args.length <= i) {
            return choices[0];
        }
        for (String choice : choices) {
            if (choice.equals(args[i])) {
                return choice;
            }
        }
        throw new IllegalArgumentException(name + " must be " + String.join(" or ", choices) + ", was '" + args[i] + "'");
    }
}
