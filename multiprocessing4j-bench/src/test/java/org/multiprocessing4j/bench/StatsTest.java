package org.multiprocessing4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void nearestRankPercentilesMatchTheBaselineDefinition() {
        double[] hundred = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();
        assertEquals(99, Percentiles.nearestRank(hundred, 99));
        assertEquals(50, Percentiles.nearestRank(hundred, 50));
        assertEquals(1, Percentiles.nearestRank(hundred, 0));
        assertEquals(2, Percentiles.nearestRank(new double[] {1, 2, 3, 4}, 50));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwoAsInPythonsStatistics() {
        assertEquals(2.5, Stats.of(4, 1, 3, 2).median());
        assertEquals(new Stats(3, 1, 9, 5), Stats.of(9, 1, 3, 2, 5));
    }

    @Test
    void oneWarmUpRepetitionIsDiscardedThenFiveAreMeasured() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        List<Integer> kept = Repeat.measured(100, 25, n -> {
            sizes.add(n);
            return sizes.size();
        });
        assertEquals(List.of(25, 100, 100, 100, 100, 100), sizes);
        assertEquals(List.of(2, 3, 4, 5, 6), kept);
    }

    @Test
    void printedFiguresAreRoundedToSixSignificantDigitsLikePercentG() {
        assertEquals(2.95044, Result.round6(2.950441234));
        assertEquals(1234570.0, Result.round6(1234567.0));
        assertEquals(0.000123457, Result.round6(0.0001234567));
    }
}
