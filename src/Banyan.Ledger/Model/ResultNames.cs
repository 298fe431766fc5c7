using System.Text;

namespace Banyan.Ledger;

/// <summary>The stable snake_case wire names of result codes (e.g. <c>exceeds_credits</c>).</summary>
public static class ResultNames
{
    private static readonly string[] AccountNames = Build<CreateAccountResult>();
    private static readonly string[] TransferNames = Build<CreateTransferResult>();

    /// <summary>The wire name of an account result.</summary>
    public static string Name(this CreateAccountResult result) => AccountNames[(int)result];

    /// <summary>The wire name of a transfer result.</summary>
    public static string Name(this CreateTransferResult result) => TransferNames[(int)result];

    /// <summary>Converts a PascalCase identifier to snake_case; digits stay attached (UserData128 → user_data_128).</summary>
    public static string ToSnakeCase(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            var boundary = i > 0 && (char.IsUpper(c) || (char.IsDigit(c) && !char.IsDigit(pascal[i - 1])));
            if (boundary) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static string[] Build<T>() where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var names = new string[values.Length];
        foreach (var v in values)
        {
            var index = Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture);
            // Invariant: result enums are dense from 0, so the name table is a plain array.
            if (index < 0 || index >= names.Length) throw new InvalidOperationException($"{typeof(T).Name} must be dense from 0.");
            names[index] = ToSnakeCase(v.ToString());
        }
        return names;
    }
}
