package io.prognos.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prognos.api.SensorId;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Ids as topic levels: any id a sensor may have goes out as one level and reads back as itself. */
class TopicsTest {

    private final Topics topics = new Topics("prognos");

    @Test
    void separatorsWildcardsAndPercentAreEscapedInALevel() {
        assertEquals("pump-2", Topics.level("pump-2"));
        assertEquals("line-1%2Fpress-3", Topics.level("line-1/press-3"));
        assertEquals("a%2Bb%23c%25d", Topics.level("a+b#c%d"));
        assertEquals("prognos/risk/site%2Fline-1/oil%2Ftemp", topics.risk(SensorId.of("site/line-1", "oil/temp")));
    }

    @Test
    void aLevelReadsBackInOnePassAndOtherPercentsStay() {
        assertEquals("line-1/press-3", Topics.id("line-1%2fpress-3"));
        assertEquals("a%2Fb", Topics.id("a%252Fb"), "an escaped percent is not read twice");
        assertEquals("50%41", Topics.id("50%41"));
        assertEquals("100%", Topics.id("100%"));
        assertEquals("%2", Topics.id("%2"));
    }

    @Test
    void everyIdRoundTrips() {
        Random r = new Random(7);
        String alphabet = "ab/+#%2F5B3f ";
        for (int n = 0; n < 2_000; n++) {
            StringBuilder id = new StringBuilder();
            for (int k = 1 + r.nextInt(12); k > 0; k--) {
                id.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String level = Topics.level(id.toString());
            assertEquals(-1, level.indexOf('/'), level);
            assertEquals(-1, level.indexOf('+'), level);
            assertEquals(-1, level.indexOf('#'), level);
            assertEquals(id.toString(), Topics.id(level), level);
        }
    }

    @Test
    void aReadingsTopicNamesTheIdsItsLevelsStandFor() throws Exception {
        Topics.ReadingsTopic t = topics.readingsTopic("prognos/readings/site%2Fline-1/temp");
        assertEquals(SensorId.of("site/line-1", "temp"), t.sensor());
    }
}
