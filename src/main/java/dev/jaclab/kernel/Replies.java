package dev.jaclab.kernel;

import java.util.ArrayList;
import java.util.List;

import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.messages.ContentType;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.ReplyType;
import org.dflib.jjava.jupyter.messages.reply.HistoryReply;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;

/**
 * Reply contents the base library gets wrong: {@code kernel_info_reply} without {@code "status": "ok"},
 * and {@code history_reply} whose entries must be {@code [session, line, input]} tuples.
 *
 * <pre>{@code
 * env.reply(new Replies.KernelInfo("5.3", "jaclab", "0.1", languageInfo, banner, List.of()));
 * }</pre>
 */
final class Replies {
    private Replies() {}

    /** kernel_info_reply with the status field. */
    static final class KernelInfo extends KernelInfoReply {
        @SuppressWarnings("unused") private final String status = "ok";

        KernelInfo(String protocol, String name, String version, LanguageInfo lang, String banner, List<HelpLink> links) {
            super(protocol, name, version, lang, banner, links);
        }
    }

    /** execute_reply carrying a pager payload: the front end shows {@code text} in its help pager. */
    static final class ExecuteWithPage extends org.dflib.jjava.jupyter.messages.reply.ExecuteReply {
        @SuppressWarnings("unused") private final List<java.util.Map<String, Object>> payload;

        ExecuteWithPage(int count, String text) {
            super(count, java.util.Map.of());
            payload = List.of(java.util.Map.of("source", "page", "data", java.util.Map.of("text/plain", text), "start", 0));
        }
    }

    /** history_reply with tuples, as the messaging spec wants. */
    static final class History implements ContentType<History>, ReplyType<HistoryRequest> {
        @SuppressWarnings("unused") private final String status = "ok";
        @SuppressWarnings("unused") private final List<List<Object>> history = new ArrayList<>();

        History(List<HistoryEntry> entries, boolean withOutput) {
            for (HistoryEntry e : entries) {
                Object input = withOutput ? List.of(e.getInput(), e.hasOutput() ? e.getOutput() : "") : e.getInput();
                history.add(List.of(e.getSession(), e.getCellNumber(), input));
            }
        }

        @Override public MessageType<History> getType() {
            @SuppressWarnings("unchecked") MessageType<History> t = (MessageType<History>) (MessageType<?>) HistoryReply.MESSAGE_TYPE;
            return t;
        }

        @Override public MessageType<HistoryRequest> getRequestType() { return HistoryReply.REQUEST_MESSAGE_TYPE; }
    }
}
