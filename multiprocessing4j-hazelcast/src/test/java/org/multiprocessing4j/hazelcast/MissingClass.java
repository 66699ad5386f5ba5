package org.multiprocessing4j.hazelcast;

import static java.lang.classfile.ClassFile.ACC_PUBLIC;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * Makes, in this JVM only, an instance of a new {@link java.io.Serializable} class that no other JVM has
 * (generated with the ClassFile API and defined by a class loader of its own).
 */
final class MissingClass {
    private MissingClass() {
    }

    static Object instance(String className) throws ReflectiveOperationException {
        byte[] bytes = ClassFile.of().build(ClassDesc.of(className), c -> c
                .withFlags(ACC_PUBLIC)
                .withInterfaceSymbols(ClassDesc.of("java.io.Serializable"))
                .withMethodBody(ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void), ACC_PUBLIC, code -> code
                        .aload(0)
                        .invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void))
                        .return_()));
        ClassLoader loader = new ClassLoader(MissingClass.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (name.equals(className)) {
                    return defineClass(name, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(name);
            }
        };
        return loader.loadClass(className).getConstructor().newInstance();
    }
}
