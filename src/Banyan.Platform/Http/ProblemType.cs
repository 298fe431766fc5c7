namespace Banyan.Platform.Http;

/// <summary>
/// A stable RFC 9457 problem type: the <c>type</c> URI clients switch on, its HTTP status and a
/// short human title. Codes never change meaning once published; new situations get new codes.
/// </summary>
public readonly record struct ProblemType
{
    /// <summary>Every Banyan problem type URI starts with this.</summary>
    public const string BaseUri = "https://banyan.dev/problems/";

    private const int MaxCodeLength = 64;

    private ProblemType(string code, int status, string title)
    {
        Code = code;
        Status = status;
        Title = title;
    }

    /// <summary>Short kebab-case code, optionally namespaced by module (e.g. <c>ledger/exceeds-credits</c>).</summary>
    public string Code { get; }

    /// <summary>The HTTP status code this problem is returned with.</summary>
    public int Status { get; }

    /// <summary>Short, stable, human-readable summary (the same for every occurrence).</summary>
    public string Title { get; }

    /// <summary>The absolute <c>type</c> URI, e.g. <c>https://banyan.dev/problems/not-found</c>.</summary>
    public string Uri => BaseUri + Code;

    /// <summary>Defines a problem type; modules use this for their own codes (prefix them with the module name).</summary>
    /// <exception cref="ArgumentException">The code is not lower-case kebab-case (with optional <c>/</c>), or the status is not 4xx/5xx.</exception>
    public static ProblemType Define(string code, int status, string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        if (code.Length > MaxCodeLength || !code.All(IsCodeChar) || code[0] == '-' || code[0] == '/')
        {
            throw new ArgumentException($"Problem code '{code}' must be lower-case kebab-case (a-z, 0-9, '-', '/'), at most {MaxCodeLength} characters.", nameof(code));
        }

        if (status is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Problem status must be 4xx or 5xx.");
        }

        return new ProblemType(code, status, title);
    }

    private static bool IsCodeChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '/';
}
