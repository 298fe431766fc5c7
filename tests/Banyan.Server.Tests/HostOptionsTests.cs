using Microsoft.Extensions.Configuration;

namespace Banyan.Server.Tests;

public sealed class HostOptionsTests
{
    [Fact]
    public void Defaults_are_localhost_5080_and_an_absolute_data_directory()
    {
        var options = BanyanHostOptions.Parse([]);
        Assert.Null(options.Urls);
        Assert.False(options.Demo);
        Assert.Null(options.DataDirectory);
        var empty = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        Assert.Equal(Path.GetFullPath("data"), options.ResolveDataDirectory(empty));
        Assert.Equal("http://localhost:5080", BanyanHostOptions.DefaultUrls);
    }

    [Fact]
    public void Options_accept_both_separate_and_inline_values()
    {
        var options = BanyanHostOptions.Parse(["--urls=http://127.0.0.1:1", "--data", "/tmp/x", "--demo", "--Banyan:Logging:Format=json"]);
        Assert.Equal("http://127.0.0.1:1", options.Urls);
        Assert.Equal(Path.GetFullPath("/tmp/x"), options.DataDirectory);
        Assert.True(options.Demo);
        Assert.Equal(["--Banyan:Logging:Format=json"], options.ConfigurationArgs);
    }

    [Fact]
    public void Data_directory_comes_from_the_option_then_configuration()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Banyan:DataDirectory"] = "/srv/banyan" }).Build();
        Assert.Equal(Path.GetFullPath("/srv/banyan"), BanyanHostOptions.Parse([]).ResolveDataDirectory(configuration));
        Assert.Equal(Path.GetFullPath("/tmp/y"), BanyanHostOptions.Parse(["--data", "/tmp/y"]).ResolveDataDirectory(configuration));
    }

    [Theory]
    [InlineData("--urls")]
    [InlineData("--bogus")]
    [InlineData("positional")]
    [InlineData("--data", "--demo")]
    public void Wrong_arguments_are_usage_errors(params string[] args)
    {
        var error = Assert.Throws<BanyanUsageException>(() => BanyanHostOptions.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Repeated_option_is_a_usage_error() =>
        Assert.Throws<BanyanUsageException>(() => BanyanHostOptions.Parse(["--data", "a", "--data", "b"]));
}
