import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The summary of {@code .ci/stress}: reads each run's Surefire/Failsafe XML reports under
 * {@code target/stress/run-N/} and prints one line per run, then every test that failed (or erred)
 * in at least one run, with how many runs and the message of each failure. Exit status 1 when any
 * test failed or any run's build failed, else 0.
 *
 * <p>Run by the script: {@code java .ci/StressReport.java target/stress RUNS}.
 */
public class StressReport {

    /** One failed test case in one run. */
    record Failure(int run, String kind, String message) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        Map<String, List<Failure>> failures = new TreeMap<>();
        boolean anyBuildFailed = false;
        for (int run = 1; run <= runs; run++) {
            Path dir = out.resolve("run-" + run);
            int[] counted = new int[2];
            for (Path report : reports(dir)) {
                read(report, run, failures, counted);
            }
            String status = Files.readString(dir.resolve("exit-status")).trim();
            System.out.printf("run %d: %d tests, %d failed, mvn exit status %s%n", run, counted[0], counted[1], status);
            if (!status.equals("0") && counted[1] == 0) {
                anyBuildFailed = true;
                System.out.println("  the build failed without a test failure; its errors ("
                        + dir.resolve("mvn.log") + "):");
                errorLines(dir.resolve("mvn.log")).forEach(line -> System.out.println("    " + line));
            }
        }
        if (failures.isEmpty()) {
            System.out.println("tests that failed at least once in " + runs + " runs: none");
        } else {
            System.out.println("tests that failed at least once in " + runs + " runs: " + failures.size());
            failures.forEach((test, list) -> {
                System.out.printf("%s — failed in %d of %d runs%n", test, list.size(), runs);
                for (Failure f : list) {
                    System.out.printf("  run %d %s: %s%n", f.run(), f.kind(), f.message());
                }
            });
        }
        System.exit(failures.isEmpty() && !anyBuildFailed ? 0 : 1);
    }

    private static List<Path> reports(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
        }
    }

    private static void read(Path report, int run, Map<String, List<Failure>> failures, int[] counted)
            throws Exception {
        Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                .getDocumentElement();
        NodeList cases = suite.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            counted[0]++;
            for (String kind : new String[] {"failure", "error"}) {
                NodeList found = testCase.getElementsByTagName(kind);
                if (found.getLength() > 0) {
                    counted[1]++;
                    String name = testCase.getAttribute("classname") + "." + testCase.getAttribute("name");
                    failures.computeIfAbsent(name, k -> new ArrayList<>())
                            .add(new Failure(run, kind, message((Element) found.item(0))));
                }
            }
        }
    }

    /** The failure's message on one line, at most 400 characters; its stack trace's first line when it has none. */
    private static String message(Element failure) {
        String message = failure.getAttribute("message");
        if (message.isBlank()) {
            message = failure.getTextContent().lines().findFirst().orElse("(no message)");
        }
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > 400 ? message.substring(0, 400) + "…" : message;
    }

    private static List<String> errorLines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return List.of("(no log)");
        }
        List<String> errors = Files.readAllLines(log).stream().filter(l -> l.startsWith("[ERROR]")).toList();
        return errors.subList(0, Math.min(errors.size(), 20));
    }
}
