package dev.jaclab.progress;

/**
 * Shows long work: told about a root {@link Progress} task once it has run a moment, then at most every 200 ms while
 * it runs, and once when it ends ({@code root.state()} is then DONE or STOPPED). It renders {@code root.chain()}, the
 * root and the tasks running inside it. Calls come from the threads doing the work, one at a time per root; a listener
 * that throws is ignored.
 *
 * <pre>{@code
 * Progress.show(root -> System.err.print("\r" + String.join(" | ", root.chain().stream().map(Progress::summary).toList())));
 * }</pre>
 */
@FunctionalInterface
public interface ProgressListener {
    void changed(Progress root);
}
