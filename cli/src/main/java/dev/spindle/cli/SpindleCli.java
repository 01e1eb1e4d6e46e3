package dev.spindle.cli;

import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.LoadException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code spindle}: the command line over the embedding API. Each subcommand returns an exit
 * code; every failure a user can cause is mapped to one line on stderr, never a stack trace.
 */
@Command(
        name = "spindle",
        mixinStandardHelpOptions = true,
        versionProvider = SpindleCli.Version.class,
        description = "Runs Spin-style WebAssembly components with sandboxed Redis access.",
        subcommands = {RunCommand.class, CheckCommand.class, CommandLine.HelpCommand.class})
public final class SpindleCli {
    /** Exit code for an invalid manifest or component (as `spindle check`). */
    public static final int EXIT_INVALID = 2;
    /** Exit code when running failed (guest trap, Redis unreachable at startup, ...). */
    public static final int EXIT_FAILED = 1;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given output streams and returns the exit code (tests call this). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SpindleCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(e));
            return exitCodeFor(e);
        });
        return cli.execute(args);
    }

    static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ManifestException || e instanceof LoadException || e instanceof InvocationException
                || e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException) {
            return message;
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    static int exitCodeFor(Throwable e) {
        if (e instanceof ManifestException || e instanceof LoadException) {
            return EXIT_INVALID;
        }
        return EXIT_FAILED;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SpindleCli.class.getPackage().getImplementationVersion();
            return new String[] {"spindle " + (v == null ? "dev" : v)};
        }
    }
}
