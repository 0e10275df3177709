#!/usr/bin/python3
"""Convert an XGBoost 1.7 JSON model (Booster.save_model("m.json")) into the
XGBoost 2.1 JSON schema, keeping predictions identical.

Usage: xgb_v2.py IN.json OUT.json

Only the fields that XGBoost 2.x writes differently are touched; each change
cites the dmlc/xgboost source it follows (files read from the dmlc/xgboost
repository, 2.x-era versions):

  * learner.cc (2.0/2.1, "Copyright 2014-2023"): LearnerModelParamLegacy::ToJson
    writes base_score with to_chars(float) -> scalar string such as "5E-1",
    exactly what 1.7 writes.  (The "[5E-1]" list form only appears in 3.1,
    common::ParamArray<float> base_score; not produced here.)
  * common/version.h Version::Save: "version" = [major, minor, patch].
  * gbm/gbtree_model.h (2.x): GBTreeModelParam declares only num_trees and
    num_parallel_tree, so "size_leaf_vector" disappears from
    gbtree_model_param.
  * gbm/gbtree_model.cc (2.x) SaveModel writes "iteration_indptr";
    MakeIndptr() is what 2.x itself derives for models lacking it.
  * include/xgboost/tree_model.h (2.x): TreeParam.size_leaf_vector is the
    leaf length, 1 for scalar-leaf trees (1.7 wrote 0); RegTree::LoadModel
    treats only > 1 as a multi-target tree.
  * tree_model.cc (2.x) SaveModel: default_left stays a U8Array, which the
    JSON writer prints as integers (common/json.cc to_i64), and the
    categorical arrays keep their 1.7 names -> no change.
  * gbm/gbtree.cc (2.x) Dart::SaveModel: {"name":"dart","gbtree":{...},
    "weight_drop":[...]} -> same layout as 1.7, no change.
"""
import copy
import json
import sys

V2_VERSION = [2, 1, 4]  # last 2.1.x patch release


def _convert_gbtree(gbtree):
    """gbtree = {"name": "gbtree", "model": {...}} (in place)."""
    model = gbtree["model"]
    param = model["gbtree_model_param"]
    # GBTreeModelParam (2.x) = {num_trees, num_parallel_tree} only.
    param.pop("size_leaf_vector", None)
    param.setdefault("num_parallel_tree", "1")
    num_trees = int(param["num_trees"])
    tree_info = model["tree_info"]

    # iteration_indptr, computed like gbtree_model.cc MakeIndptr():
    #   n_groups = max(tree_info) + 1; layer = num_parallel_tree * n_groups
    #   indptr = [0, layer, 2*layer, ...], num_trees / layer + 1 entries.
    if "iteration_indptr" not in model:
        if tree_info:
            n_groups = max(tree_info) + 1
            layer = int(param["num_parallel_tree"]) * n_groups
            model["iteration_indptr"] = [i * layer for i in range(num_trees // layer + 1)]
        else:
            model["iteration_indptr"] = [0]
        # Validate(): iteration_indptr.back() == num_trees
        assert model["iteration_indptr"][-1] == num_trees, "trees not a whole number of layers"

    for tree in model["trees"]:
        tp = tree["tree_param"]
        # 2.x scalar-leaf trees carry size_leaf_vector = 1 (1.7: 0).
        if int(tp.get("size_leaf_vector", "0")) > 1:
            raise ValueError("vector-leaf (multi-target) tree: not a 1.7 scalar model")
        tp["size_leaf_vector"] = "1"
        # default_left / split_type / categories*: unchanged (see module doc).


def to_v2(model_dict):
    """Return a new dict: the 1.7 model rewritten in the 2.1 JSON schema."""
    m = copy.deepcopy(model_dict)
    m["version"] = list(V2_VERSION)
    learner = m["learner"]
    lmp = learner["learner_model_param"]
    # base_score: keep the scalar to_chars string ("5E-1"); 2.1 writes the same.
    bs = lmp["base_score"]
    assert not bs.lstrip().startswith("["), "already a 3.1+ vector base_score"
    # num_target / boost_from_average exist in 1.7 too; fill if an older file.
    lmp.setdefault("num_target", "1")
    lmp.setdefault("boost_from_average", "1")
    # feature_names / feature_types / attributes: same keys in 2.x
    # (LearnerIO::SaveModel); LoadModel needs "attributes" -> ensure present.
    learner.setdefault("attributes", {})
    learner.setdefault("feature_names", [])
    learner.setdefault("feature_types", [])

    gb = learner["gradient_booster"]
    if gb["name"] == "gbtree":
        _convert_gbtree(gb)
    elif gb["name"] == "dart":
        _convert_gbtree(gb["gbtree"])  # weight_drop stays beside "gbtree"
    else:
        raise ValueError("unsupported booster: %s" % gb["name"])
    return m


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: xgb_v2.py IN.json OUT.json\n")
        return 2
    with open(argv[1]) as f:
        src = json.load(f)
    with open(argv[2], "w") as f:
        # floats print as Python's shortest double repr; they round back to
        # the same float32 values that 1.7 stored.
        json.dump(to_v2(src), f, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
