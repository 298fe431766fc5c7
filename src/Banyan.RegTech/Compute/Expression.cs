using System.Globalization;

namespace Banyan.RegTech.Compute;

/// <summary>A reference to a base quantity, optionally at another date (<c>loans_gross@prev_year_end</c>).</summary>
internal readonly record struct QuantityRef(string Id, string? At)
{
    public override string ToString() => At is null ? Id : Id + "@" + At;
}

/// <summary>The figure cannot be computed (division by zero, a source without data); the reason says why.</summary>
internal sealed class UndefinedFigureException(string reason) : Exception(reason);

/// <summary>
/// The indicator expression language: decimal numbers, quantity references (with an optional
/// <c>@prev_year_end</c>, <c>@prev_quarter_end</c> or <c>@prev_month_end</c>), <c>+ - * /</c>, unary
/// minus, parentheses, <c>min</c>, <c>max</c>, <c>abs</c> and the variable <c>months_elapsed</c>.
/// Evaluation is in <see cref="decimal"/> (no floating point); dividing by zero makes the figure undefined.
/// </summary>
internal abstract record Expr
{
    public const int MaxLength = 1000;
    public static readonly string[] Dates = ["prev_year_end", "prev_quarter_end", "prev_month_end"];

    public abstract decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed);

    /// <summary>Every quantity reference, in order of appearance, without repeats.</summary>
    public IReadOnlyList<QuantityRef> References()
    {
        var list = new List<QuantityRef>();
        Collect(list);
        return list.Distinct().ToList();
    }

    protected abstract void Collect(List<QuantityRef> into);

    public static Expr Parse(string text)
    {
        if (text.Length > MaxLength) throw new FormatException($"expression longer than {MaxLength} characters");
        var parser = new Parser(text);
        var expr = parser.ParseSum();
        parser.ExpectEnd();
        return expr;
    }

    internal sealed record Number(decimal Value) : Expr
    {
        public override decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed) => Value;
        protected override void Collect(List<QuantityRef> into) { }
    }

    internal sealed record MonthsElapsed : Expr
    {
        public override decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed) => monthsElapsed;
        protected override void Collect(List<QuantityRef> into) { }
    }

    internal sealed record Reference(QuantityRef Ref) : Expr
    {
        public override decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed) => resolve(Ref);
        protected override void Collect(List<QuantityRef> into) => into.Add(Ref);
    }

    internal sealed record Negate(Expr Operand) : Expr
    {
        public override decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed) => -Operand.Evaluate(resolve, monthsElapsed);
        protected override void Collect(List<QuantityRef> into) => Operand.Collect(into);
    }

    internal sealed record Binary(char Op, Expr Left, Expr Right) : Expr
    {
        public override decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed)
        {
            var l = Left.Evaluate(resolve, monthsElapsed);
            var r = Right.Evaluate(resolve, monthsElapsed);
            return Op switch
            {
                '+' => l + r,
                '-' => l - r,
                '*' => l * r,
                '/' => r == 0 ? throw new UndefinedFigureException($"division by zero ({Right} is 0)") : l / r,
                _ => throw new InvalidOperationException("unknown operator " + Op),
            };
        }

        protected override void Collect(List<QuantityRef> into)
        {
            Left.Collect(into);
            Right.Collect(into);
        }

        public override string ToString() => $"({Left} {Op} {Right})";
    }

    internal sealed record Call(string Function, IReadOnlyList<Expr> Arguments) : Expr
    {
        public override decimal Evaluate(Func<QuantityRef, decimal> resolve, int monthsElapsed)
        {
            var values = Arguments.Select(a => a.Evaluate(resolve, monthsElapsed)).ToList();
            return Function switch
            {
                "min" => values.Min(),
                "max" => values.Max(),
                "abs" => Math.Abs(values[0]),
                _ => throw new InvalidOperationException("unknown function " + Function),
            };
        }

        protected override void Collect(List<QuantityRef> into)
        {
            foreach (var a in Arguments) a.Collect(into);
        }
    }

    private sealed class Parser(string text)
    {
        private const int MaxDepth = 64;
        private int _pos;
        private int _depth;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos != text.Length) throw Error("unexpected '" + text[_pos] + "'");
        }

        public Expr ParseSum()
        {
            var left = ParseProduct();
            while (TryTake('+', '-', out var op)) left = new Binary(op, left, ParseProduct());
            return left;
        }

        private Expr ParseProduct()
        {
            var left = ParseUnary();
            while (TryTake('*', '/', out var op)) left = new Binary(op, left, ParseUnary());
            return left;
        }

        private Expr ParseUnary()
        {
            if (++_depth > MaxDepth) throw Error("nested too deeply");
            try
            {
                if (TryTake('-', '-', out _)) return new Negate(ParseUnary());
                return ParsePrimary();
            }
            finally
            {
                _depth--;
            }
        }

        private Expr ParsePrimary()
        {
            SkipSpace();
            if (_pos >= text.Length) throw Error("unexpected end");
            var c = text[_pos];
            if (c == '(')
            {
                _pos++;
                var inner = ParseSum();
                Expect(')');
                return inner;
            }
            if (char.IsAsciiDigit(c) || c == '.') return new Number(ReadNumber());
            if (char.IsAsciiLetterLower(c) || c == '_') return ParseName();
            throw Error("unexpected '" + c + "'");
        }

        private Expr ParseName()
        {
            var name = ReadName();
            SkipSpace();
            if (_pos < text.Length && text[_pos] == '(')
            {
                if (name is not ("min" or "max" or "abs")) throw Error("unknown function " + name);
                _pos++;
                var args = new List<Expr> { ParseSum() };
                while (TryTake(',', ',', out _)) args.Add(ParseSum());
                Expect(')');
                if (name == "abs" ? args.Count != 1 : args.Count < 2) throw Error($"wrong number of arguments to {name}");
                return new Call(name, args);
            }
            if (name == "months_elapsed") return new MonthsElapsed();
            string? at = null;
            if (_pos < text.Length && text[_pos] == '@')
            {
                _pos++;
                at = ReadName();
                if (!Dates.Contains(at)) throw Error("unknown date " + at);
            }
            return new Reference(new QuantityRef(name, at));
        }

        private decimal ReadNumber()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.')) _pos++;
            return decimal.TryParse(text.AsSpan(start, _pos - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v)
                ? v : throw Error("bad number");
        }

        private string ReadName()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterLower(text[_pos]) || char.IsAsciiDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            return _pos > start ? text[start.._pos] : throw Error("name expected");
        }

        private bool TryTake(char a, char b, out char op)
        {
            SkipSpace();
            op = default;
            if (_pos < text.Length && (text[_pos] == a || text[_pos] == b))
            {
                op = text[_pos++];
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!TryTake(c, c, out _)) throw Error($"'{c}' expected");
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] == ' ') _pos++;
        }

        private FormatException Error(string what) => new($"{what} at position {_pos} in '{text}'");
    }
}
