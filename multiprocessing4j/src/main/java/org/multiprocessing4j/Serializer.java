package org.multiprocessing4j;
public interface Serializer {}
