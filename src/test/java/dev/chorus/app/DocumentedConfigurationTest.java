package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every YAML example in docs/ is a config file Chorus accepts: a reader copies them whole. */
class DocumentedConfigurationTest {
    @TempDir
    Path dir;

    @Test
    void theConfigurationPagesFullExampleLoadsWithTheValuesItShows() throws Exception {
        List<String> examples = yamlBlocks(Path.of("docs/configuration.md"));
        assertFalse(examples.isEmpty());
        for (String example : examples) {
            Settings settings = load(example);
            assertEquals("my-key", settings.apps().get(0).key());
            assertEquals(8080, settings.port());
        }
    }

    @Test
    void theWebhookExampleLoadsWithBothWebhooks() throws Exception {
        List<String> examples = yamlBlocks(Path.of("docs/operations.md"));
        assertFalse(examples.isEmpty());
        for (String example : examples) {
            assertEquals(2, load(example).apps().get(0).webhooks().size());
        }
    }

    @Test
    void everyYamlExampleInTheDocsLoads() throws Exception {
        int examples = 0;
        try (var pages = Files.list(Path.of("docs"))) {
            for (Path page : pages.filter(path -> path.toString().endsWith(".md")).toList()) {
                for (String example : yamlBlocks(page)) {
                    load(example);
                    examples++;
                }
            }
        }
        assertFalse(examples < 3, examples + " examples");
    }

    private Settings load(String yaml) throws Exception {
        Path file = dir.resolve("chorus-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return new SettingsLoader(Map.of(SettingsLoader.FLAG_CONFIG, file.toString()), Map.of()).load(null);
    }

    private static List<String> yamlBlocks(Path page) throws Exception {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : Files.readAllLines(page)) {
            if (block == null && line.startsWith("```yaml")) {
                block = new StringBuilder();
            } else if (block != null && line.startsWith("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }
}
