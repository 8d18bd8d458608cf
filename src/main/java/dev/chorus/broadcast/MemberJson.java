package dev.chorus.broadcast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.channel.Member;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.PresenceRoster;
import java.util.Map;

/** How a presence member is written in the cluster state ({@code {"id":..,"info":..}}) and read back. */
final class MemberJson {
    private MemberJson() {
    }

    static String of(Member member) {
        return "{\"id\":" + member.userIdJson() + ",\"info\":" + (member.userInfoJson() == null ? "null" : member.userInfoJson()) + "}";
    }

    static JsonNode parse(String memberJson) {
        try {
            return Json.MAPPER.readTree(memberJson);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad member JSON in the cluster state: " + memberJson, e);
        }
    }

    /** The presence payload of subscription_succeeded from the cluster's roster. */
    static String presenceData(Map<String, String> roster) {
        PresenceRoster payload = new PresenceRoster();
        for (Map.Entry<String, String> entry : roster.entrySet()) {
            JsonNode member = parse(entry.getValue());
            payload.add(entry.getKey(), member.get("id").toString(), member.hasNonNull("info") ? member.get("info").toString() : null);
        }
        return payload.data();
    }
}
