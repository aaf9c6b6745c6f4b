package dev.jaclab.kernel.deps;

/**
 * A dependency that cannot be resolved or added (unknown coordinates, a malformed POM fragment, unreadable Maven
 * settings, no network): the message says which coordinates and why, in one line a notebook user can act on.
 *
 * <pre>{@code
 * %maven org.nope:nope:1.0
 * // DependencyException: %maven: cannot resolve org.nope:nope:1.0: Could not find artifact org.nope:nope:jar:1.0 in central (...)
 * }</pre>
 */
public final class DependencyException extends RuntimeException {
    public DependencyException(String message) { super(message); }

    public DependencyException(String message, Throwable cause) { super(message, cause); }
}
