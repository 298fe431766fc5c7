namespace Banyan.Credit.Tests;

public class ModuleShapeTests
{
    [Fact]
    public void The_module_exposes_only_its_facade()
    {
        var exported = typeof(CreditModule).Assembly.GetExportedTypes();
        Assert.Equal([typeof(CreditModule)], exported);
    }

    [Fact]
    public void The_module_is_named_credit_and_declares_the_credit_scope()
    {
        var module = new CreditModule();
        Assert.Equal("credit", module.Name);
        Assert.Equal(["credit"], module.Scopes);
    }
}
