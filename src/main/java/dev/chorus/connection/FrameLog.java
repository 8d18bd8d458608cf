package dev.chorus.connection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
/**
 * The {@code --debug} frame log. Chosen once at startup: the silent one costs a no-op call, so the
 * hot path never checks a flag or builds a string when debugging is off. Implementations are
 * called from any thread.
 */
public interface FrameLog {
    FrameLog SILENT = new FrameLog() {
        @Override
        public void inbound(String socketId, String frame) {
        }

        @Override
        public void outbound(String socketId, String frame) {
        }

        @Override
        public void lifecycle(String socketId, String what) {
        }
    };

    void inbound(String socketId, String frame);

    void outbound(String socketId, String frame);

    void lifecycle(String socketId, String what);

    /** Prints every frame, truncated, through SLF4J (logger {@code dev.chorus.frames}). */
    static FrameLog printing() {
        Logger logger = LoggerFactory.getLogger("dev.chorus.frames");
        return new FrameLog() {
            @Override
            public void inbound(String socketId, String frame) {
                logger.info("<- " + socketId + " " + truncate(frame));
            }

            @Override
            public void outbound(String socketId, String frame) {
                logger.info("-> " + socketId + " " + truncate(frame));
            }

            @Override
            public void lifecycle(String socketId, String what) {
                logger.info("** " + socketId + " " + what);
            }
        };
    }

    private static String truncate(String frame) {
        return frame.length() <= 200 ? frame : frame.substring(0, 200) + "... (" + frame.length() + " chars)";
    }
}
