using System.Xml;
using System.Xml.Linq;

namespace Banyan.Payments.CrossBorder.Iso;

/// <summary>One problem in a message, at an XPath-like element path (e.g. <c>/Document/…/PmtInf[1]/…/InstdAmt/@Ccy</c>).</summary>
internal sealed record IsoError(string Path, string Message);

/// <summary>The message is not acceptable; nothing was changed.</summary>
internal sealed class IsoInvalidException(IReadOnlyList<IsoError> errors) : Exception(errors.Count == 0 ? "invalid message" : $"{errors[0].Path}: {errors[0].Message}")
{
    public IReadOnlyList<IsoError> Errors { get; } = errors;

    public static IsoInvalidException At(string path, string message) => new([new IsoError(path, message)]);
}

/// <summary>
/// A compact structural rule for one element of the supported subset: allowed children in schema order with
/// their cardinality, or a text check for leaves, and required attributes. <see cref="Choice"/> means exactly one child.
/// </summary>
internal sealed class El
{
    private El(string name, int min, int max) => (Name, Min, Max) = (name, min, max);

    public string Name { get; }

    public int Min { get; }

    public int Max { get; }

    public El[] Children { get; private init; } = [];

    public bool Choice { get; private init; }

    public Func<string, string?>? Text { get; private init; }

    public (string Name, Func<string, string?> Check)[] Attributes { get; private init; } = [];

    public static El Leaf(string name, int min, int max, Func<string, string?> text) => new(name, min, max) { Text = text };

    public static El Amount(string name, int min) => new(name, min, 1) { Text = IsoText.Amount, Attributes = [("Ccy", IsoText.CurrencyCode)] };

    /// <summary>A balance amount: may be zero (the sign is in <c>CdtDbtInd</c>).</summary>
    public static El Balance(string name) => new(name, 1, 1) { Text = IsoText.DecimalText, Attributes = [("Ccy", IsoText.CurrencyCode)] };

    public static El Group(string name, int min, int max, params El[] children) => new(name, min, max) { Children = children };

    public static El OneOf(string name, int min, params El[] children) => new(name, min, 1) { Children = children, Choice = true };

    /// <summary>Whether the path shows this element's position (it may repeat).</summary>
    public bool Indexed => Max > 1;
}

/// <summary>Safe loading and structural validation of ISO 20022 XML (no DTDs, no external resources, size-limited).</summary>
internal static class IsoXml
{
    public const int MaxBytes = 4 * 1024 * 1024;
    private const int MaxErrors = 20;

    /// <summary>Parses the bytes into a document; malformed XML is an error at <c>/</c> with line and position.</summary>
    public static XDocument Load(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw IsoInvalidException.At("/", $"the message is larger than {MaxBytes} bytes");
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException e)
        {
            throw IsoInvalidException.At("/", $"malformed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}");
        }
    }

    /// <summary>Checks <paramref name="document"/> against the rules rooted at <c>Document</c>; throws every error found (up to 20).</summary>
    public static void Validate(XDocument document, XNamespace ns, El root)
    {
        var errors = new List<IsoError>();
        var element = document.Root!;
        if (element.Name != ns + "Document")
        {
            throw IsoInvalidException.At("/" + element.Name.LocalName, $"expected the root element Document in namespace {ns.NamespaceName}");
        }

        Check(element, El.Group("Document", 1, 1, root), "/Document", ns, errors);
        if (errors.Count > 0)
        {
            throw new IsoInvalidException(errors);
        }
    }

    private static void Check(XElement element, El rule, string path, XNamespace ns, List<IsoError> errors)
    {
        foreach (var (name, check) in rule.Attributes)
        {
            var value = element.Attribute(name)?.Value;
            var problem = value is null ? "required attribute missing" : check(value);
            Add(errors, path + "/@" + name, problem);
        }

        if (rule.Text is not null)
        {
            Add(errors, path, element.HasElements ? "must not contain elements" : rule.Text(element.Value));
            return;
        }

        if (element.Nodes().OfType<XText>().Any(t => !string.IsNullOrWhiteSpace(t.Value)))
        {
            Add(errors, path, "must contain elements, not text");
        }

        CheckChildren(element, rule, path, ns, errors);
    }

    private static void CheckChildren(XElement element, El rule, string path, XNamespace ns, List<IsoError> errors)
    {
        var counts = new int[rule.Children.Length];
        var last = -1;
        foreach (var child in element.Elements())
        {
            var index = child.Name.Namespace == ns ? Array.FindIndex(rule.Children, c => c.Name == child.Name.LocalName) : -1;
            if (index < 0)
            {
                Add(errors, path + "/" + child.Name.LocalName, "unexpected element (not in the supported subset)");
                continue;
            }

            var childRule = rule.Children[index];
            counts[index]++;
            var childPath = path + "/" + childRule.Name + (childRule.Indexed ? $"[{counts[index]}]" : "");
            if (index < last)
            {
                Add(errors, childPath, "out of schema order");
            }

            last = Math.Max(last, index);
            if (counts[index] > childRule.Max)
            {
                Add(errors, childPath, $"at most {childRule.Max} allowed");
                continue;
            }

            Check(child, childRule, childPath, ns, errors);
        }

        CheckCardinality(rule, path, counts, errors);
    }

    private static void CheckCardinality(El rule, string path, int[] counts, List<IsoError> errors)
    {
        if (rule.Choice)
        {
            var present = counts.Count(c => c > 0);
            Add(errors, path, present == 1 ? null : $"must contain exactly one of {string.Join(", ", rule.Children.Select(c => c.Name))}");
            return;
        }

        for (var i = 0; i < rule.Children.Length; i++)
        {
            if (counts[i] < rule.Children[i].Min)
            {
                Add(errors, path + "/" + rule.Children[i].Name + (rule.Children[i].Indexed ? $"[{counts[i] + 1}]" : ""), "required element missing");
            }
        }
    }

    private static void Add(List<IsoError> errors, string path, string? problem)
    {
        if (problem is not null && errors.Count < MaxErrors)
        {
            errors.Add(new IsoError(path, problem));
        }
    }
}

/// <summary>Reading validated documents: child lookups by local name in the message namespace.</summary>
internal static class IsoRead
{
    public static XElement E(this XElement parent, XNamespace ns, string path)
    {
        var current = parent;
        foreach (var name in path.Split('/'))
        {
            current = current.Element(ns + name) ?? throw new InvalidOperationException($"validated element {path} is missing");
        }

        return current;
    }

    public static string? Opt(this XElement parent, XNamespace ns, string path)
    {
        var current = parent;
        foreach (var name in path.Split('/'))
        {
            current = current.Element(ns + name);
            if (current is null)
            {
                return null;
            }
        }

        return current.Value;
    }

    public static string S(this XElement parent, XNamespace ns, string path) => parent.E(ns, path).Value;

    /// <summary>Drops empty optional elements so writers can list every element unconditionally.</summary>
    public static XElement X(XNamespace ns, string name, params object?[] content)
    {
        var parts = content.Where(c => c is not null && c is not XElement { IsEmpty: true, HasAttributes: false }).ToArray();
        return new XElement(ns + name, parts);
    }

    public static XElement? XOpt(XNamespace ns, string name, string? value) => value is null ? null : new XElement(ns + name, value);

    public static string Write(XElement document)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false), OmitXmlDeclaration = false };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            new XDocument(document).Save(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
