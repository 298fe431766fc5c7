using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Banyan.Architecture.Tests;

/// <summary>
/// Reads compiled IL (not source) to find where one Banyan assembly names a non-public type of another.
/// Only InternalsVisibleTo makes that compile, so this catches the leak however it was opened.
/// </summary>
internal static class ModuleBoundaries
{
    /// <summary>"Consumer → Owner.Type" for every type reference from <paramref name="consumer"/> to a non-public type of an assembly in <paramref name="owners"/>.</summary>
    public static IReadOnlyList<string> InternalTypeReferences(Assembly consumer, IReadOnlyCollection<Assembly> owners)
    {
        var byName = owners.Where(o => o != consumer).ToDictionary(o => o.GetName().Name!, StringComparer.Ordinal);
        using var stream = File.OpenRead(consumer.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var violations = new List<string>();
        foreach (var handle in reader.TypeReferences)
        {
            var (assemblyName, fullName) = Resolve(reader, handle);
            if (assemblyName is null || !byName.TryGetValue(assemblyName, out var owner)) continue;
            var type = owner.GetType(fullName, throwOnError: false);
            if (type is null || !IsVisible(type))
                violations.Add($"{consumer.GetName().Name} → {assemblyName}:{fullName}");
        }
        return violations;
    }

    /// <summary>The assemblies each production assembly opens its internals to.</summary>
    public static IEnumerable<(string Owner, string Friend)> FriendAssemblies(Assembly assembly) =>
        assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => (assembly.GetName().Name!, a.AssemblyName.Split(',')[0].Trim()));

    private static bool IsVisible(Type type) =>
        type.IsPublic || (type.IsNestedPublic && type.DeclaringType is { } outer && IsVisible(outer));

    /// <summary>Follows nested type references out to the assembly that defines them; nested names use '+'.</summary>
    private static (string? Assembly, string FullName) Resolve(MetadataReader reader, TypeReferenceHandle handle)
    {
        var reference = reader.GetTypeReference(handle);
        var name = reader.GetString(reference.Name);
        var ns = reader.GetString(reference.Namespace);
        var scope = reference.ResolutionScope;
        switch (scope.Kind)
        {
            case HandleKind.AssemblyReference:
                var assembly = reader.GetAssemblyReference((AssemblyReferenceHandle)scope);
                return (reader.GetString(assembly.Name), ns.Length == 0 ? name : ns + "." + name);
            case HandleKind.TypeReference:
                var (outerAssembly, outerName) = Resolve(reader, (TypeReferenceHandle)scope);
                return (outerAssembly, outerName + "+" + name);
            default:
                return (null, name);
        }
    }
}
