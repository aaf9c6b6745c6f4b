package dev.jaclab.nd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ScratchTest {
    @Test void aSmallerRequestReusesTheSlotsMemoryInTheShapeAsked() {
        try (Scratch scope = Scratch.open()) {
            INDArray big = Scratch.buffer("s", DataType.FLOAT, 4, 6);
            big.assign(7);
            INDArray small = Scratch.buffer("s", DataType.FLOAT, 3, 5);
            assertArrayEquals(new long[]{3, 5}, small.shape());
            assertSame(big.data(), small.data(), "same memory, no reallocation");
            small.assign(1);
            assertEquals(15, small.sumNumber().doubleValue());
            assertEquals(1, big.getDouble(0, 5));          // c order: the first 15 elements of the slot
            assertEquals(1, big.getDouble(2, 2));
            assertEquals(7, big.getDouble(2, 3));
            Scratch.release(small);                         // a view of a slot's buffer: not freed
            assertFalse(big.wasClosed());
            INDArray again = Scratch.buffer("s", DataType.FLOAT, 4, 6);
            assertSame(big, again);
            INDArray larger = Scratch.buffer("s", DataType.FLOAT, 5, 6);
            assertNotSame(big.data(), larger.data(), "a larger request reallocates");
            INDArray otherType = Scratch.buffer("s", DataType.DOUBLE, 2, 2);
            assertEquals(DataType.DOUBLE, otherType.dataType());
        }
    }

    @Test void derivedRefillsWhenTheShapeOrSourceChanges() {
        Object source = new Object();
        int[] fills = {0};
        try (Scratch scope = Scratch.open()) {
            Scratch.derived("d", source, DataType.DOUBLE, new long[]{2, 3}, b -> { fills[0]++; b.assign(1); });
            INDArray same = Scratch.derived("d", source, DataType.DOUBLE, new long[]{2, 3}, b -> { fills[0]++; b.assign(2); });
            assertEquals(1, fills[0]);
            assertEquals(6, same.sumNumber().doubleValue());
            INDArray smaller = Scratch.derived("d", source, DataType.DOUBLE, new long[]{1, 3}, b -> { fills[0]++; b.assign(3); });
            assertEquals(2, fills[0], "a new shape is filled again");
            assertEquals(9, smaller.sumNumber().doubleValue());
            INDArray back = Scratch.derived("d", source, DataType.DOUBLE, new long[]{2, 3}, b -> { fills[0]++; b.assign(4); });
            assertEquals(3, fills[0], "the elements past the smaller shape were not the source's any more");
            assertEquals(24, back.sumNumber().doubleValue());
            Scratch.derived("d", new Object(), DataType.DOUBLE, new long[]{2, 3}, b -> fills[0]++);
            assertEquals(4, fills[0]);
        }
    }
}
