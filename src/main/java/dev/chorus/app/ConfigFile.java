package dev.chorus.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML config file with the line of every key in it, so that a bad value, an unknown key or a syntax
 * error is reported as {@code file:line}. Jackson's tree keeps no locations: the token stream is read a
 * second time for them (the file is small), and each mapping and list of the tree is matched to its
 * JSON pointer.
 */
final class ConfigFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path path;
    private final JsonNode root;
    private final Map<JsonPointer, Integer> lines;
    private final Map<JsonNode, JsonPointer> pointers = new IdentityHashMap<>();

    private ConfigFile(Path path, JsonNode root, Map<JsonPointer, Integer> lines) {
        this.path = path;
        this.root = root;
        this.lines = lines;
        if (root != null) {
            index(root, JsonPointer.empty());
        }
    }

    /**
     * Reads and parses the file; every way it can fail is one line naming the file, what is wrong with
     * it and who named it ({@code namedBy}: "flag --config", "environment variable CHORUS_CONFIG", ...).
     */
    static ConfigFile read(Path path, String namedBy) {
        Path shown = path.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw cannotRead(shown, namedBy, "no such file");
        } catch (AccessDeniedException e) {
            throw cannotRead(shown, namedBy, "permission denied");
        } catch (CharacterCodingException e) {
            throw cannotRead(shown, namedBy, "not UTF-8 text");
        } catch (IOException e) {
            // Reading a directory fails with a bare "Is a directory" IOException on Linux; ask rather than parse the message.
            throw cannotRead(shown, namedBy, Files.isDirectory(path) ? "it is a directory, not a file"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (text.startsWith("\uFEFF")) {
            // A byte order mark, as some Windows editors write: YAML allows it, the parser of a String does not skip it.
            text = text.substring(1);
        }
        JsonNode root;
        Map<JsonPointer, Integer> lines = new HashMap<>();
        try {
            root = YAML.readTree(text);
            try (JsonParser parser = YAML.getFactory().createParser(text)) {
                for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                    if (!token.isStructEnd()) {
                        // The first token of a pointer is its key: the line a reader looks for.
                        lines.putIfAbsent(parser.getParsingContext().pathAsPointer(), parser.currentTokenLocation().getLineNr());
                    }
                }
            }
        } catch (IOException e) {
            throw new ConfigurationException("Invalid YAML at " + syntaxError(shown, namedBy, e));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new ConfigFile(path, null, lines);
        }
        if (!root.isObject()) {
            throw new ConfigurationException("Invalid config file " + shown + ":" + lines.getOrDefault(JsonPointer.empty(), 1)
                    + " (from " + namedBy + "): a YAML mapping with 'server' and 'apps' expected, found " + (root.isArray() ? "a list" : "a single value"));
        }
        return new ConfigFile(path, root, lines);
    }

    private static ConfigurationException cannotRead(Path file, String namedBy, String problem) {
        return new ConfigurationException("Cannot read the config file " + file + " (from " + namedBy + "): " + problem);
    }

    /**
     * {@code file:line:column: problem (context)} from SnakeYAML's marks: Jackson's own location points
     * at the token it last read, which for an unclosed list is line 1.
     */
    private static String syntaxError(Path file, String namedBy, IOException e) {
        String from = " (config file from " + namedBy + "): ";
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                return file + ":" + (marked.getProblemMark().getLine() + 1) + ":" + (marked.getProblemMark().getColumn() + 1) + from
                        + oneLine(marked.getProblem()) + (marked.getContext() == null ? "" : ", " + oneLine(marked.getContext()));
            }
        }
        String message = e instanceof JsonProcessingException processing
                ? processing.getOriginalMessage() : e.getMessage();
        int line = e instanceof JsonProcessingException processing && processing.getLocation() != null
                ? processing.getLocation().getLineNr() : -1;
        return file + (line > 0 ? ":" + line : "") + from + oneLine(message);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse("");
    }

    private void index(JsonNode node, JsonPointer at) {
        if (node.isContainerNode()) {
            pointers.put(node, at);
        } else if (pointers.containsKey(node)) {
            // Jackson shares small numbers' nodes (IntNode 5 anywhere is one object): no line rather than a wrong one.
            pointers.put(node, null);
        } else {
            pointers.put(node, at);
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                index(field.getValue(), at.appendProperty(field.getKey()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                index(node.get(i), at.appendIndex(i));
            }
        }
    }

    Path path() {
        return path;
    }

    /** The document's top mapping, or null for an empty file. */
    JsonNode root() {
        return root;
    }

    /** {@code file:line} of a node of this file's tree, or null when unknown. */
    String at(JsonNode node) {
        JsonPointer pointer = node == null ? null : pointers.get(node);
        return where(pointer);
    }

    /** {@code file:line} of a key of a mapping of this file's tree, or null when unknown. */
    String at(JsonNode mapping, String field) {
        JsonPointer pointer = mapping == null ? null : pointers.get(mapping);
        return pointer == null || !mapping.isContainerNode() ? null : where(pointer.appendProperty(field));
    }

    private String where(JsonPointer pointer) {
        Integer line = pointer == null ? null : lines.get(pointer);
        return line == null ? null : path.toAbsolutePath().normalize() + ":" + line;
    }
}
