namespace Banyan.Server.Tests;

public sealed class HostOptionsTests
{
    [Fact]
    public void Defaults_are_localhost_5080_and_an_absolute_data_directory()
    {
        var options = BanyanHostOptions.Parse([]);
        Assert.Null(options.Urls);
        Assert.False(options.Demo);
        Assert.True(Path.IsPathRooted(options.DataDirectory));
        Assert.Equal(Path.GetFullPath("data"), options.DataDirectory);
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
