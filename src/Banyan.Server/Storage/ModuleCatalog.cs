using Banyan.Platform;

namespace Banyan.Server.Storage;

/// <summary>The modules of this host instance, plus what the host derives from them (scopes, model key).</summary>
internal sealed class ModuleCatalog
{
    /// <summary>Scopes of modules that do not exist yet but whose clients we already provision.</summary>
    internal static readonly string[] PlatformScopes = [ScopePolicy.Admin, "payments", "aml", "credit", "regtech"];

    public ModuleCatalog(IReadOnlyList<IBanyanModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            if (!IsModuleName(module.Name) || !names.Add(module.Name) || module.Name == "platform")
            {
                throw new InvalidOperationException($"Module name '{module.Name}' must be unique, lower-case letters/digits, and not 'platform'.");
            }
        }

        Modules = modules;
        Scopes = modules.SelectMany(m => m.Scopes).Concat(PlatformScopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        foreach (var scope in Scopes)
        {
            if (!IsModuleName(scope))
            {
                throw new InvalidOperationException($"Scope '{scope}' must be lower-case letters/digits.");
            }
        }

        ModelKey = string.Join('|', modules.Select(m => m.GetType().FullName + ":" + m.Name));
    }

    public IReadOnlyList<IBanyanModule> Modules { get; }

    /// <summary>Every scope a client can be granted, sorted.</summary>
    public IReadOnlyList<string> Scopes { get; }

    public string ModelKey { get; }

    private static bool IsModuleName(string name) =>
        name.Length is > 0 and <= 32 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] is >= 'a' and <= 'z';
}
