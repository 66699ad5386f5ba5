package org.multiprocessing4j.examples;
public final class Demo { public static void main(String[] a) { System.out.println("demo " + Runtime.version()); } }
