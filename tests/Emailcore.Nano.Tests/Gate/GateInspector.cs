using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Emailcore.Nano.Tests.Gate
{
    /// <summary>
    /// Reads a compiled assembly's metadata and lists what stable nanoFramework firmware cannot load:
    /// references other than mscorlib, generic definitions or instantiations, P/Invoke, pointer types.
    /// </summary>
    public sealed class GateInspector
    {
        private GateInspector(List<string> violations, int ilBytes, int methods)
        {
            Violations = violations;
            IlBytes = ilBytes;
            Methods = methods;
        }

        public IReadOnlyList<string> Violations { get; }

        /// <summary>The sum of all method bodies: the code-size figure we track.</summary>
        public int IlBytes { get; }

        public int Methods { get; }

        public static GateInspector Inspect(string assemblyPath) => Inspect(assemblyPath, "mscorlib");

        /// <summary>Inspects an assembly that may reference only <paramref name="allowedReferences"/>.</summary>
        public static GateInspector Inspect(string assemblyPath, params string[] allowedReferences)
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();
            var violations = new List<string>();
            var provider = new Flagger(violations);

            foreach (AssemblyReferenceHandle h in md.AssemblyReferences)
            {
                string name = md.GetString(md.GetAssemblyReference(h).Name);
                if (System.Array.IndexOf(allowedReferences, name) < 0)
                {
                    violations.Add("assembly reference " + name);
                }
            }

            foreach (ModuleReferenceHandle h in GetHandles(md, TableIndex.ModuleRef, MetadataTokens.ModuleReferenceHandle))
            {
                violations.Add("module reference " + md.GetString(md.GetModuleReference(h).Name) + " (P/Invoke)");
            }

            int ilBytes = 0;
            int methods = 0;
            foreach (TypeDefinitionHandle th in md.TypeDefinitions)
            {
                TypeDefinition type = md.GetTypeDefinition(th);
                string typeName = md.GetString(type.Namespace) + "." + md.GetString(type.Name);
                if (type.GetGenericParameters().Count > 0)
                {
                    violations.Add("generic type definition " + typeName);
                }

                foreach (FieldDefinitionHandle fh in type.GetFields())
                {
                    FieldDefinition field = md.GetFieldDefinition(fh);
                    provider.Context = typeName + "." + md.GetString(field.Name);
                    field.DecodeSignature(provider, null);
                }

                foreach (MethodDefinitionHandle mh in type.GetMethods())
                {
                    MethodDefinition method = md.GetMethodDefinition(mh);
                    string methodName = typeName + "." + md.GetString(method.Name);
                    provider.Context = methodName;
                    if (method.GetGenericParameters().Count > 0)
                    {
                        violations.Add("generic method definition " + methodName);
                    }

                    if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0 || !method.GetImport().Module.IsNil)
                    {
                        violations.Add("P/Invoke " + methodName);
                    }

                    method.DecodeSignature(provider, null);
                    if (method.RelativeVirtualAddress != 0)
                    {
                        MethodBodyBlock body = pe.GetMethodBody(method.RelativeVirtualAddress);
                        ilBytes += body.Size;
                        methods++;
                        if (!body.LocalSignature.IsNil)
                        {
                            md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
                        }
                    }
                }

                foreach (PropertyDefinitionHandle ph in type.GetProperties())
                {
                    provider.Context = typeName + "." + md.GetString(md.GetPropertyDefinition(ph).Name);
                    md.GetPropertyDefinition(ph).DecodeSignature(provider, null);
                }
            }

            foreach (TypeSpecificationHandle h in GetHandles(md, TableIndex.TypeSpec, MetadataTokens.TypeSpecificationHandle))
            {
                provider.Context = "type specification";
                md.GetTypeSpecification(h).DecodeSignature(provider, null);
            }

            foreach (MemberReferenceHandle h in md.MemberReferences)
            {
                MemberReference member = md.GetMemberReference(h);
                provider.Context = "reference to " + md.GetString(member.Name);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(provider, null);
                }
                else
                {
                    member.DecodeFieldSignature(provider, null);
                }
            }

            int methodSpecs = md.GetTableRowCount(TableIndex.MethodSpec);
            if (methodSpecs > 0)
            {
                violations.Add(methodSpecs + " generic method instantiation(s)");
            }

            return new GateInspector(violations, ilBytes, methods);
        }

        private static IEnumerable<T> GetHandles<T>(MetadataReader md, TableIndex table, System.Func<int, T> handle)
        {
            int rows = md.GetTableRowCount(table);
            for (int row = 1; row <= rows; row++)
            {
                yield return handle(row);
            }
        }

        /// <summary>Decodes signatures to names and records every construct the firmware lacks.</summary>
        private sealed class Flagger : ISignatureTypeProvider<string, object?>
        {
            private readonly List<string> _violations;

            public Flagger(List<string> violations)
            {
                _violations = violations;
            }

            public string Context { get; set; } = string.Empty;

            public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";

            public string GetByReferenceType(string elementType) => elementType + "&";

            public string GetFunctionPointerType(MethodSignature<string> signature) => Flag("function pointer");

            public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
                Flag("generic instantiation " + genericType + "<" + string.Join(",", typeArguments) + ">");

            public string GetGenericMethodParameter(object? genericContext, int index) => Flag("generic method parameter");

            public string GetGenericTypeParameter(object? genericContext, int index) => Flag("generic type parameter");

            public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

            public string GetPinnedType(string elementType) => Flag("pinned local");

            public string GetPointerType(string elementType) => Flag("pointer type " + elementType + "*");

            public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

            public string GetSZArrayType(string elementType) => elementType + "[]";

            public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
                reader.GetString(reader.GetTypeDefinition(handle).Name);

            public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
                reader.GetString(reader.GetTypeReference(handle).Name);

            public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
                reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

            private string Flag(string what)
            {
                _violations.Add(what + " in " + Context);
                return what;
            }
        }
    }
}
