using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Emailcore.Nano.Tests.Boards
{
    /// <summary>
    /// Adds up what a set of core objects keeps alive, in nanoFramework's 32-bit terms: every object and array
    /// of the core reachable from the roots, with the arrays and strings they hold. Platform objects (sockets,
    /// threads, the host's bindings) are the firmware's, not ours, and are neither counted nor followed.
    /// </summary>
    public sealed class HeapWalker
    {
        // nanoFramework heap blocks: a 12-byte header per object; references are 4 bytes on the ESP32.
        private const int Header = 12;
        private const int Reference = 4;

        private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
        private readonly Assembly _core = typeof(Emailcore.Nano.Config.MainConfig).Assembly;

        public long Bytes { get; private set; }

        public Dictionary<string, long> ByType { get; } = new();

        public void Walk(object root)
        {
            var pending = new Stack<object>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                object o = pending.Pop();
                if (!_seen.Add(o))
                {
                    continue;
                }

                Type type = o.GetType();
                long size;
                if (o is string s)
                {
                    size = Header + 2L * s.Length;
                }
                else if (o is Array array)
                {
                    Type element = type.GetElementType()!;
                    size = Header + (long)array.Length * SizeOf(element);
                    if (!element.IsValueType)
                    {
                        foreach (object? item in array)
                        {
                            if (item != null && Followed(item.GetType()))
                            {
                                pending.Push(item);
                            }
                        }
                    }
                }
                else
                {
                    size = Header;
                    for (Type? t = type; t != null && t != typeof(object); t = t.BaseType)
                    {
                        foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                        {
                            size += SizeOf(field.FieldType);
                            if (!field.FieldType.IsValueType && field.GetValue(o) is { } value && Followed(value.GetType()))
                            {
                                pending.Push(value);
                            }
                        }
                    }
                }

                Bytes += size;
                string key = type.IsArray ? type.Name : type.Name;
                ByType[key] = ByType.GetValueOrDefault(key) + size;
            }
        }

        private bool Followed(Type type) =>
            type == typeof(string) || (type.IsArray && (type.GetElementType()!.IsPrimitive || Followed(type.GetElementType()!))) || (type.Assembly == _core && !typeof(Delegate).IsAssignableFrom(type));

        private static long SizeOf(Type type)
        {
            if (!type.IsValueType)
            {
                return Reference;
            }

            if (type.IsEnum)
            {
                return SizeOf(Enum.GetUnderlyingType(type));
            }

            if (type.IsPrimitive)
            {
                return type == typeof(long) || type == typeof(ulong) || type == typeof(double) ? 8 : type == typeof(byte) || type == typeof(sbyte) || type == typeof(bool) ? 1 : type == typeof(char) || type == typeof(short) || type == typeof(ushort) ? 2 : 4;
            }

            return Unsafe.SizeOf<long>() * 2;
        }
    }
}
