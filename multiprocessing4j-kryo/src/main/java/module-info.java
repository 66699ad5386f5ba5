/**
 * A Kryo-based {@link org.multiprocessing4j.Serializer} for multiprocessing4j: see
 * {@link org.multiprocessing4j.kryo.KryoSerializer}. Kryo and Objenesis are automatic modules
 * ({@code Automatic-Module-Name} in their jars).
 */
module org.multiprocessing4j.kryo {
    requires transitive org.multiprocessing4j; // KryoSerializer's API is org.multiprocessing4j.Serializer
    requires com.esotericsoftware.kryo;
    requires org.objenesis; // StdInstantiatorStrategy: instances of classes without a no-arg constructor
    exports org.multiprocessing4j.kryo;
}
