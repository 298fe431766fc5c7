namespace Banyan.Server;

/// <summary>The host's command-line options (<c>--urls</c>, <c>--data</c>, <c>--demo</c>), parsed once.</summary>
/// <param name="Urls">Semicolon-separated listen URLs, or <see langword="null"/> to use configuration / <see cref="DefaultUrls"/>.</param>
/// <param name="DataDirectory">Absolute data directory from <c>--data</c>, or <see langword="null"/> for configuration <c>Banyan:DataDirectory</c> / <c>./data</c> (see <see cref="ResolveDataDirectory"/>).</param>
/// <param name="Demo">Seed demo data into an empty data directory after start-up.</param>
/// <param name="ConfigurationArgs">Remaining <c>--Key=Value</c> arguments, passed to ASP.NET configuration.</param>
public sealed record BanyanHostOptions(string? Urls, string? DataDirectory, bool Demo, IReadOnlyList<string> ConfigurationArgs)
{
    /// <summary>Where the host listens unless told otherwise.</summary>
    public const string DefaultUrls = "http://localhost:5080";

    /// <summary>The data directory used when <c>--data</c> is absent (relative to the working directory).</summary>
    public const string DefaultDataDirectory = "data";

    private const int MaxArgumentLength = 4096;

    /// <summary>Parses <paramref name="args"/>. Relative paths resolve against the current directory.</summary>
    /// <exception cref="BanyanUsageException">An option is unknown, repeated or lacks its value.</exception>
    public static BanyanHostOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? urls = null;
        string? data = null;
        var demo = false;
        var passThrough = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i] ?? throw new BanyanUsageException("Arguments must not be null.");
            if (arg.Length > MaxArgumentLength)
            {
                throw new BanyanUsageException($"Argument {i + 1} is longer than {MaxArgumentLength} characters.");
            }

            var (name, inlineValue) = Split(arg);
            switch (name)
            {
                case "--urls":
                    urls = Once(urls, name, inlineValue ?? Next(args, ref i, name));
                    break;
                case "--data":
                    data = Once(data, name, inlineValue ?? Next(args, ref i, name));
                    break;
                case "--demo" when inlineValue is null:
                    demo = true;
                    break;
                default:
                    passThrough.Add(CheckConfigurationArgument(arg));
                    break;
            }
        }

        return new BanyanHostOptions(urls, data is null ? null : Path.GetFullPath(data), demo, passThrough);
    }

    /// <summary>The absolute data directory: <c>--data</c>, else <c>Banyan:DataDirectory</c> from configuration, else <c>./data</c>.</summary>
    public string ResolveDataDirectory(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (DataDirectory is not null)
        {
            return DataDirectory;
        }

        var configured = configuration["Banyan:DataDirectory"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? DefaultDataDirectory : configured);
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 2 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static string Next(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new BanyanUsageException($"Option {name} needs a value.");
        }

        i++;
        return args[i];
    }

    private static string Once(string? previous, string name, string value)
    {
        if (previous is not null)
        {
            throw new BanyanUsageException($"Option {name} was given more than once.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new BanyanUsageException($"Option {name} needs a non-empty value.");
        }

        return value;
    }

    // Only `--Section:Key=Value` reaches ASP.NET configuration; anything else is a typo we should report.
    private static string CheckConfigurationArgument(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        if (!arg.StartsWith("--", StringComparison.Ordinal) || equals <= 2)
        {
            throw new BanyanUsageException(
                $"Unknown argument '{arg}'. Expected --urls URL, --data DIR, --demo or a configuration override --Key=Value.");
        }

        return arg;
    }
}

/// <summary>The command line is wrong (unknown option, missing value). The CLI maps it to exit code 2.</summary>
public sealed class BanyanUsageException : Exception
{
    /// <summary>Creates the exception with a message meant for the user.</summary>
    public BanyanUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BanyanUsageException()
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public BanyanUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
