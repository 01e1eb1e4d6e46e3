package dev.spindle.cli;

import dev.spindle.manifest.VariableResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --variable name=value}, shared by run and check; SPIN_VARIABLE_* comes from the environment. */
final class VariableOptions {
    @Option(
            names = "--variable",
            paramLabel = "NAME=VALUE",
            description = "Set an application variable (repeatable); wins over SPIN_VARIABLE_<NAME> in the environment.")
    List<String> assignments = new ArrayList<>();

    Map<String, String> values() {
        return VariableResolver.parseAssignments(assignments);
    }
}
