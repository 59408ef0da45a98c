package fakegcp

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/genproto/googleapis/api/distribution"
	metricpb "google.golang.org/genproto/googleapis/api/metric"
	monitoredrespb "google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Kinds and value types, as the aggregation rules name them.
var (
	kindGauge   = metricpb.MetricDescriptor_GAUGE
	kindDelta   = metricpb.MetricDescriptor_DELTA
	kindCumul   = metricpb.MetricDescriptor_CUMULATIVE
	typeInt64   = metricpb.MetricDescriptor_INT64
	typeDouble  = metricpb.MetricDescriptor_DOUBLE
	typeBool    = metricpb.MetricDescriptor_BOOL
	typeDistrib = metricpb.MetricDescriptor_DISTRIBUTION
)

// checkAggregation refuses what Monitoring refuses of an Aggregation
// (google/monitoring/v3/common.proto): an aligner without an alignment
// period of at least 60 s, a reducer without an aligner, and aligners or
// reducers that are not valid for the series' kind and value type.
func checkAggregation(a *monitoringpb.Aggregation, series []*monitoringpb.TimeSeries) error {
	if a == nil {
		return nil
	}
	aligner, reducer := a.GetPerSeriesAligner(), a.GetCrossSeriesReducer()
	if aligner == monitoringpb.Aggregation_ALIGN_NONE && reducer != monitoringpb.Aggregation_REDUCE_NONE {
		return fmt.Errorf("cross_series_reducer %s requires a per_series_aligner other than ALIGN_NONE", reducer)
	}
	if aligner != monitoringpb.Aggregation_ALIGN_NONE {
		if a.GetAlignmentPeriod() == nil {
			return fmt.Errorf("per_series_aligner %s requires an alignment_period", aligner)
		}
		if p := a.GetAlignmentPeriod().AsDuration(); p < time.Minute {
			return fmt.Errorf("alignment period %s is shorter than 60s", p)
		}
	}
	for _, ts := range series {
		kind, vt := ts.GetMetricKind(), ts.GetValueType()
		if !alignerValid(aligner, kind, vt) {
			return fmt.Errorf("the aligner %s is not valid for metric %s of kind %s and value type %s",
				aligner, ts.GetMetric().GetType(), kind, vt)
		}
		if !reducerValid(reducer, kind, alignedType(aligner, vt)) {
			return fmt.Errorf("the reducer %s is not valid for metric %s of kind %s and value type %s",
				reducer, ts.GetMetric().GetType(), kind, vt)
		}
	}
	return nil
}

func numeric(vt metricpb.MetricDescriptor_ValueType) bool { return vt == typeInt64 || vt == typeDouble }

// alignerValid follows the validity each aligner's documentation states.
func alignerValid(a monitoringpb.Aggregation_Aligner, kind metricpb.MetricDescriptor_MetricKind, vt metricpb.MetricDescriptor_ValueType) bool {
	gaugeOrDelta := kind == kindGauge || kind == kindDelta
	switch a {
	case monitoringpb.Aggregation_ALIGN_NONE:
		return true
	case monitoringpb.Aggregation_ALIGN_DELTA:
		return kind == kindCumul || kind == kindDelta
	case monitoringpb.Aggregation_ALIGN_RATE:
		return (kind == kindCumul || kind == kindDelta) && numeric(vt)
	case monitoringpb.Aggregation_ALIGN_MIN, monitoringpb.Aggregation_ALIGN_MAX, monitoringpb.Aggregation_ALIGN_MEAN:
		return gaugeOrDelta && numeric(vt)
	case monitoringpb.Aggregation_ALIGN_COUNT:
		return gaugeOrDelta && (numeric(vt) || vt == typeBool)
	case monitoringpb.Aggregation_ALIGN_SUM:
		return gaugeOrDelta && (numeric(vt) || vt == typeDistrib)
	}
	return false // other aligners: fake-gcp does not implement them
}

// reducerValid follows the validity each reducer's documentation states,
// for the value type the aligner produced.
func reducerValid(r monitoringpb.Aggregation_Reducer, kind metricpb.MetricDescriptor_MetricKind, vt metricpb.MetricDescriptor_ValueType) bool {
	gaugeOrDelta := kind == kindGauge || kind == kindDelta || kind == kindCumul
	switch r {
	case monitoringpb.Aggregation_REDUCE_NONE:
		return true
	case monitoringpb.Aggregation_REDUCE_MIN, monitoringpb.Aggregation_REDUCE_MAX:
		return gaugeOrDelta && numeric(vt)
	case monitoringpb.Aggregation_REDUCE_SUM, monitoringpb.Aggregation_REDUCE_MEAN:
		return gaugeOrDelta && (numeric(vt) || vt == typeDistrib)
	case monitoringpb.Aggregation_REDUCE_COUNT:
		return true
	}
	return false
}

// alignedType is the value type an aligner produces.
func alignedType(a monitoringpb.Aggregation_Aligner, vt metricpb.MetricDescriptor_ValueType) metricpb.MetricDescriptor_ValueType {
	switch a {
	case monitoringpb.Aggregation_ALIGN_MEAN, monitoringpb.Aggregation_ALIGN_RATE:
		return typeDouble
	case monitoringpb.Aggregation_ALIGN_COUNT:
		return typeInt64
	}
	return vt
}

// align applies the per-series aligner: points are grouped into periods
// ending at end, end-period, ... and each group becomes one point. A point
// that is alone in its period and already spans it is kept as it is.
func align(ts *monitoringpb.TimeSeries, a *monitoringpb.Aggregation, end time.Time) *monitoringpb.TimeSeries {
	aligner := a.GetPerSeriesAligner()
	if aligner == monitoringpb.Aggregation_ALIGN_NONE {
		return ts
	}
	period := a.GetAlignmentPeriod().AsDuration()
	groups := map[time.Time][]*monitoringpb.Point{}
	for _, p := range ts.GetPoints() {
		t := p.GetInterval().GetEndTime().AsTime()
		k := end.Sub(t) / period // the k-th period before end: (end-(k+1)p, end-kp]
		groups[end.Add(-k*period)] = append(groups[end.Add(-k*period)], p)
	}
	out := proto.CloneOf(ts)
	out.Points = out.Points[:0]
	out.ValueType = alignedType(aligner, ts.GetValueType())
	if aligner == monitoringpb.Aggregation_ALIGN_RATE {
		out.MetricKind = kindGauge
	}
	for pe, pts := range groups {
		out.Points = append(out.Points, alignedPoint(pts, aligner, ts, pe, period))
	}
	return out
}

// alignedPoint reduces the points of one period with an aligner.
func alignedPoint(pts []*monitoringpb.Point, aligner monitoringpb.Aggregation_Aligner, ts *monitoringpb.TimeSeries, end time.Time, period time.Duration) *monitoringpb.Point {
	start := end.Add(-period)
	if ts.GetMetricKind() == kindGauge {
		start = end
	}
	if len(pts) == 1 && aligner != monitoringpb.Aggregation_ALIGN_MEAN && aligner != monitoringpb.Aggregation_ALIGN_COUNT && aligner != monitoringpb.Aggregation_ALIGN_RATE {
		iv := pts[0].GetInterval()
		if iv.GetEndTime().AsTime().Equal(end) && (iv.GetStartTime() == nil || iv.GetStartTime().AsTime().Equal(start) || ts.GetMetricKind() == kindGauge) {
			return pts[0]
		}
	}
	vals := make([]*monitoringpb.TypedValue, len(pts))
	for i, p := range pts {
		vals[i] = p.GetValue()
	}
	var v *monitoringpb.TypedValue
	switch aligner {
	case monitoringpb.Aggregation_ALIGN_MEAN:
		v = doubleValue(sumScalars(vals) / float64(len(vals)))
	case monitoringpb.Aggregation_ALIGN_COUNT:
		v = &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_Int64Value{Int64Value: int64(len(vals))}}
	case monitoringpb.Aggregation_ALIGN_RATE:
		v = doubleValue(sumScalars(vals) / period.Seconds())
	case monitoringpb.Aggregation_ALIGN_MAX, monitoringpb.Aggregation_ALIGN_MIN:
		v = extreme(vals, aligner == monitoringpb.Aggregation_ALIGN_MAX)
	default: // DELTA and SUM: the sum over the period
		v = sumValues(vals, ts.GetValueType())
	}
	return &monitoringpb.Point{
		Interval: &monitoringpb.TimeInterval{StartTime: timestamppb.New(start), EndTime: timestamppb.New(end)},
		Value:    v,
	}
}

// reduce applies the cross-series reducer: series are grouped by the
// group_by_fields, and each group becomes one series that carries only
// those labels (and the metric and resource types), as Monitoring answers.
func reduce(series []*monitoringpb.TimeSeries, a *monitoringpb.Aggregation) ([]*monitoringpb.TimeSeries, error) {
	r := a.GetCrossSeriesReducer()
	if r == monitoringpb.Aggregation_REDUCE_NONE {
		return series, nil
	}
	type group struct {
		head *monitoringpb.TimeSeries
		vals map[time.Time][]*monitoringpb.TypedValue
		ivs  map[time.Time]*monitoringpb.TimeInterval
	}
	groups := map[string]*group{}
	var keys []string
	for _, ts := range series {
		head, key, err := groupHead(ts, a.GetGroupByFields())
		if err != nil {
			return nil, err
		}
		g := groups[key]
		if g == nil {
			g = &group{head: head, vals: map[time.Time][]*monitoringpb.TypedValue{}, ivs: map[time.Time]*monitoringpb.TimeInterval{}}
			groups[key] = g
			keys = append(keys, key)
		}
		for _, p := range ts.GetPoints() {
			t := p.GetInterval().GetEndTime().AsTime()
			g.vals[t] = append(g.vals[t], p.GetValue())
			g.ivs[t] = p.GetInterval()
		}
	}
	slices.Sort(keys)
	out := make([]*monitoringpb.TimeSeries, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		for _, t := range slices.Collect(maps.Keys(g.vals)) {
			g.head.Points = append(g.head.Points, &monitoringpb.Point{Interval: g.ivs[t], Value: reduceValues(g.vals[t], r, g.head.GetValueType())})
		}
		if r == monitoringpb.Aggregation_REDUCE_MEAN {
			g.head.ValueType = typeDouble
		}
		if r == monitoringpb.Aggregation_REDUCE_COUNT {
			g.head.ValueType = typeInt64
		}
		out = append(out, g.head)
	}
	return out, nil
}

// groupHead is a grouped series' header: the metric and resource types and
// the group_by_fields' labels only.
func groupHead(ts *monitoringpb.TimeSeries, fields []string) (*monitoringpb.TimeSeries, string, error) {
	head := &monitoringpb.TimeSeries{
		Metric:     &metricpb.Metric{Type: ts.GetMetric().GetType(), Labels: map[string]string{}},
		Resource:   &monitoredrespb.MonitoredResource{Type: ts.GetResource().GetType(), Labels: map[string]string{}},
		MetricKind: ts.GetMetricKind(), ValueType: ts.GetValueType(), Unit: ts.GetUnit(),
	}
	var key []string
	for _, f := range fields {
		switch {
		case strings.HasPrefix(f, "resource.label."), strings.HasPrefix(f, "resource.labels."):
			k := f[strings.LastIndexByte(f, '.')+1:]
			v := ts.GetResource().GetLabels()[k]
			head.Resource.Labels[k] = v
			key = append(key, f+"="+v)
		case strings.HasPrefix(f, "metric.label."), strings.HasPrefix(f, "metric.labels."):
			k := f[strings.LastIndexByte(f, '.')+1:]
			v := ts.GetMetric().GetLabels()[k]
			head.Metric.Labels[k] = v
			key = append(key, f+"="+v)
		default:
			return nil, "", fmt.Errorf("group_by_fields: fake-gcp cannot group by %q", f)
		}
	}
	return head, strings.Join(key, "\x00"), nil
}

func reduceValues(vals []*monitoringpb.TypedValue, r monitoringpb.Aggregation_Reducer, vt metricpb.MetricDescriptor_ValueType) *monitoringpb.TypedValue {
	switch r {
	case monitoringpb.Aggregation_REDUCE_MAX, monitoringpb.Aggregation_REDUCE_MIN:
		return extreme(vals, r == monitoringpb.Aggregation_REDUCE_MAX)
	case monitoringpb.Aggregation_REDUCE_MEAN:
		return doubleValue(sumScalars(vals) / float64(len(vals)))
	case monitoringpb.Aggregation_REDUCE_COUNT:
		return &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_Int64Value{Int64Value: int64(len(vals))}}
	}
	return sumValues(vals, vt)
}

func doubleValue(f float64) *monitoringpb.TypedValue {
	return &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_DoubleValue{DoubleValue: f}}
}

// scalar is a numeric value as a float; a distribution counts as its mean.
func scalar(v *monitoringpb.TypedValue) float64 {
	switch x := v.GetValue().(type) {
	case *monitoringpb.TypedValue_Int64Value:
		return float64(x.Int64Value)
	case *monitoringpb.TypedValue_DoubleValue:
		return x.DoubleValue
	case *monitoringpb.TypedValue_BoolValue:
		if x.BoolValue {
			return 1
		}
	case *monitoringpb.TypedValue_DistributionValue:
		return x.DistributionValue.GetMean()
	}
	return 0
}

func sumScalars(vals []*monitoringpb.TypedValue) float64 {
	var s float64
	for _, v := range vals {
		s += scalar(v)
	}
	return s
}

func extreme(vals []*monitoringpb.TypedValue, largest bool) *monitoringpb.TypedValue {
	best := vals[0]
	for _, v := range vals[1:] {
		if largest && scalar(v) > scalar(best) || !largest && scalar(v) < scalar(best) {
			best = v
		}
	}
	return best
}

// sumValues adds values of one type; distributions are merged bucket by
// bucket (they share their bucket options within a metric).
func sumValues(vals []*monitoringpb.TypedValue, vt metricpb.MetricDescriptor_ValueType) *monitoringpb.TypedValue {
	switch vt {
	case typeInt64:
		var n int64
		for _, v := range vals {
			n += v.GetInt64Value()
		}
		return &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_Int64Value{Int64Value: n}}
	case typeDistrib:
		var d *distribution.Distribution
		for _, v := range vals {
			d = mergeDistribution(d, v.GetDistributionValue())
		}
		return &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_DistributionValue{DistributionValue: d}}
	}
	return doubleValue(sumScalars(vals))
}

// mergeDistribution adds b to a (a copy of a, when a is set).
func mergeDistribution(a, b *distribution.Distribution) *distribution.Distribution {
	if a == nil {
		return proto.CloneOf(b)
	}
	n, m := float64(a.GetCount()), float64(b.GetCount())
	out := proto.CloneOf(a)
	out.Count = a.GetCount() + b.GetCount()
	if out.Count > 0 {
		mean := (a.GetMean()*n + b.GetMean()*m) / (n + m)
		out.SumOfSquaredDeviation = a.GetSumOfSquaredDeviation() + b.GetSumOfSquaredDeviation() +
			n*math.Pow(a.GetMean()-mean, 2) + m*math.Pow(b.GetMean()-mean, 2)
		out.Mean = mean
	}
	counts := out.GetBucketCounts()
	for i, c := range b.GetBucketCounts() {
		if i < len(counts) {
			counts[i] += c
		} else {
			counts = append(counts, c)
		}
	}
	out.BucketCounts = counts
	return out
}
