using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// An SVG <c>&lt;text&gt;</c> element as markup: Razor reserves the <c>text</c> tag, so charts emit it
/// this way. The content is HTML-encoded; coordinates are invariant-culture numbers.
/// </summary>
internal static class SvgLabel
{
    public static MarkupString Of(double x, double y, int fontSize, string content) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"<text x=\"{x:0.##}\" y=\"{y:0.##}\" font-size=\"{fontSize}\" text-anchor=\"middle\" fill=\"currentColor\">{HtmlEncoder.Default.Encode(content)}</text>"));
}
