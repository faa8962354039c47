package dev.reaper.boot;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test needs from a class file (JVMS 4.1, 4.4): its major version and the classes its
 * constant pool names.
 */
public record ClassFile(int major, List<String> classes) {

    public static ClassFile parse(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        int major = in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames.add(in.readUnsignedShort()); // CONSTANT_Class
                case 8, 16, 19, 20 -> in.readUnsignedShort(); // String, MethodType, Module, Package
                case 3, 4 -> in.readInt(); // Integer, Float
                case 5, 6 -> { // Long, Double: two slots
                    in.readLong();
                    i++;
                }
                // refs, NameAndType, Dynamic, InvokeDynamic
                case 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 15 -> { // MethodHandle
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("constant pool tag " + tag + " at " + i);
            }
        }
        List<String> classes = new ArrayList<>();
        for (int index : classNames) {
            classes.add(utf8[index]);
        }
        return new ClassFile(major, classes);
    }
}
