package dev.jaclab.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Command-line entry for headless use: {@code jaclab explore --model attention --sizes 256,1024 --target 1000000
 * --budget 8g --out DIR} and {@code jaclab bench --models ... --strategies ... --sizes ... --out results.csv} (one JVM
 * per configuration). Wrong input prints one line on stderr and exits with status 2.
 *
 * <pre>{@code
 * int status = Main.run("explore", "--model", "globalMean", "--sizes", "8,16", "--out", "/tmp/jaclab-report");
 * }</pre>
 */
@Command(name = "jaclab", mixinStandardHelpOptions = true, version = "jaclab 0.1.0",
        description = "Per-sample Jacobians: explore strategies, recommend one.", subcommands = {ExploreCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try: jaclab explore --help)"); }

    /** The configured command line (exit code 2 and a single stderr line on bad input). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (String sub : new String[]{"explore", "bench"})
            cl.getSubcommands().get(sub).getCommandSpec().usageMessage().footer("%nStrategies: " + dev.jaclab.jacobian.Strategies.names());
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("jaclab: " + ex.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                c.getErr().println("jaclab: " + ex.getMessage());
                c.getErr().flush();
                return CommandLine.ExitCode.USAGE;
            }
            throw ex;
        });
        return cl;
    }

    /** Runs in this process and returns the exit status. */
    public static int run(String... args) { return commandLine().execute(args); }

    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }
}
