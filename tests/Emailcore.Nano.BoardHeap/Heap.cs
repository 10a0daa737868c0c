namespace Emailcore.Nano.Tests
{
    /// <summary>The interpreter's own heap figures.</summary>
    public static class Heap
    {
        /// <summary>Whether this build can read the heap (it needs nanoFramework.Runtime.Native from the tools folder).</summary>
        public static bool Available
        {
#if RUNTIME_NATIVE
            get { return true; }
#else
            get { return false; }
#endif
        }

        /// <summary>Free managed-heap bytes after a full collection (nanoFramework.Runtime.Native.GC.Run).</summary>
        public static long Free()
        {
#if RUNTIME_NATIVE
            return nanoFramework.Runtime.Native.GC.Run(false);
#else
            return 0;
#endif
        }

        /// <summary>
        /// The largest byte array that can still be allocated, found by halving: each failed try makes the CLR
        /// collect and compact before it gives up, so this is the largest free block after compaction.
        /// </summary>
        public static long LargestBlock(long upTo)
        {
            long low = 0;
            long high = upTo;
            while (low < high)
            {
                long mid = (low + high + 1) / 2;
                if (Fits(mid))
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }

            return low;
        }

        private static bool Fits(long size)
        {
            try
            {
                byte[] block = new byte[size];
                return block.Length == size;
            }
            catch (System.OutOfMemoryException)
            {
                return false;
            }
        }
    }
}
