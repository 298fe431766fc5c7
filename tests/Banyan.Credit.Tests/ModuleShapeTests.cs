using Microsoft.Extensions.Configuration;
namespace Banyan.Credit.Tests;

public class ModuleShapeTests
{
    [Fact]
    public void The_module_exposes_only_its_facade_and_contracts()
    {
        var exported = typeof(CreditModule).Assembly.GetExportedTypes();
        Assert.Contains(typeof(CreditModule), exported);
        Assert.All(exported, t => Assert.True(t == typeof(CreditModule) || t.Namespace == "Banyan.Credit.Contracts", t.FullName));
        Assert.Equal(["CreditDecisionSummary", "ICreditDecisions"], exported.Where(t => t != typeof(CreditModule)).Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_module_is_named_credit_and_declares_the_credit_and_credit_admin_scopes()
    {
        var module = new CreditModule();
        Assert.Equal("credit", module.Name);
        Assert.Equal(["credit", "credit-admin"], module.Scopes);
    }
}

public class ModuleConfigurationTests
{
    [Fact]
    public void A_policy_from_configuration_is_validated_when_services_are_configured()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Banyan:Credit:Policy:LossGivenDefault"] = "0" })
            .Build();
        var directory = Path.Combine(Path.GetTempPath(), "banyan-credit-config-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var context = new Banyan.Platform.ModuleContext(configuration, directory, Banyan.Platform.StorageProvider.Sqlite,
                new Microsoft.Extensions.Hosting.Internal.HostingEnvironment());
            var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
            Assert.Throws<InvalidOperationException>(() => new CreditModule().ConfigureServices(services, context));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
