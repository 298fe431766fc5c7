using System.Reflection;
using Banyan.Platform;

namespace Banyan.Architecture.Tests;

public class ArchitectureTests
{
    /// <summary>Every production assembly: the host, the CLI, the platform contract, every module and what they reference.</summary>
    private static readonly IReadOnlyList<Assembly> Production = LoadProduction();

    /// <summary>
    /// Loads every Banyan assembly copied next to this test (the CLI references the whole product).
    /// Read from disk rather than from assembly references: the compiler drops references that are
    /// not used yet, and an unused project must still obey the rules.
    /// </summary>
    private static IReadOnlyList<Assembly> LoadProduction()
    {
        _ = typeof(Banyan.Cli.BanyanCli);
        return Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n == "banyan" || (n!.StartsWith("Banyan.", StringComparison.Ordinal) && !n.EndsWith(".Tests", StringComparison.Ordinal)))
            // Benchmarks are tooling, not product: they may be a friend of the engine.
            .Where(n => n != "Banyan.Bench")
            .Select(n => Assembly.Load(new AssemblyName(n!)))
            .ToList();
    }

    private static IEnumerable<Assembly> ModuleAssemblies =>
        Production.Where(a => a.GetTypes().Any(t => typeof(IBanyanModule).IsAssignableFrom(t) && !t.IsAbstract));

    [Fact]
    public void No_production_assembly_uses_another_assemblys_internal_types()
    {
        var violations = Production.SelectMany(a => ModuleBoundaries.InternalTypeReferences(a, Production)).ToList();
        Assert.True(violations.Count == 0, "Internal types used across assemblies:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void The_boundary_check_catches_a_reference_to_an_internal_type()
    {
        var owners = Production.Append(typeof(ArchitectureTests).Assembly).ToList();
        var violations = ModuleBoundaries.InternalTypeReferences(typeof(ArchitectureTests).Assembly, owners);
        Assert.Contains(violations, v => v.EndsWith("Banyan.Ledger:Banyan.Ledger.StateMachine", StringComparison.Ordinal));
        Assert.NotNull(DeliberateViolation.InternalEngineType);
    }

    [Fact]
    public void Internals_are_opened_only_to_tests_and_benchmarks()
    {
        var friends = Production.SelectMany(ModuleBoundaries.FriendAssemblies)
            .Where(f => !f.Friend.EndsWith(".Tests", StringComparison.Ordinal) && f.Friend != "Banyan.Bench")
            .Select(f => $"{f.Owner} → {f.Friend}")
            .ToList();
        Assert.True(friends.Count == 0, "Production assemblies open internals to production code:\n" + string.Join('\n', friends));
    }

    [Theory]
    [InlineData("Banyan.Ledger")]
    [InlineData("Banyan.Ledger.Client")]
    public void Engine_and_client_assemblies_stay_free_of_the_web_stack(string assemblyName)
    {
        var assembly = Production.Single(a => a.GetName().Name == assemblyName);
        var web = assembly.GetReferencedAssemblies()
            .Where(r => r.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            .Select(r => r.Name)
            .ToList();
        Assert.True(web.Count == 0, $"{assemblyName} references {string.Join(", ", web)}");
    }

    [Fact]
    public void A_module_exposes_its_module_class_and_contracts_only()
    {
        var leaks = ModuleAssemblies
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !typeof(IBanyanModule).IsAssignableFrom(t) && !(t.Namespace ?? "").EndsWith(".Contracts", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(leaks.Count == 0, "Public types in module assemblies outside the facade:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void Every_module_in_the_host_has_a_unique_lower_case_name_and_scopes()
    {
        var modules = Banyan.Server.Modules.All();
        Assert.NotEmpty(modules);
        Assert.Equal(modules.Count, modules.Select(m => m.Name).Distinct().Count());
        Assert.All(modules, m => Assert.Matches("^[a-z][a-z0-9_]*$", m.Name));
    }
}
