"""Tests of nnfeyn_io.py against the nnfeyn binary ($NNFEYN_BIN). NumPy only."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import nnfeyn_io  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("NNFEYN_BIN", os.path.join(ROOT, ".build", "debug", "nnfeyn"))


def nnfeyn(*arguments):
    run = subprocess.run([BINARY, *arguments], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    if run.returncode != 0:
        raise AssertionError(f"nnfeyn {' '.join(arguments)} failed: {run.stderr}")
    return run.stdout


class LoadExpansionTests(unittest.TestCase):
    def expand(self, model, order, *extra):
        directory = tempfile.mkdtemp()
        path = os.path.join(directory, "out.npz")
        nnfeyn("expand", model, "--order", str(order), "--format", "npz", "-o", path, *extra)
        return path

    def test_dense_tensors_match_nnfeyns_own_and_the_json(self):
        path = self.expand("grammar/examples/multi_output.nn", 4, "--dense")
        data = nnfeyn_io.load_expansion(path)
        self.assertEqual(data["meta"]["schema"], "nnfeyn.expansion-npz/1")
        with np.load(path) as z:
            for k in range(5):
                np.testing.assert_array_equal(data["derivatives"][k], z[f"dense_{k}"])
        document = json.loads(nnfeyn("expand", "grammar/examples/multi_output.nn", "--order", "4", "--format", "json"))
        for block in document["orders"]:
            k = block["order"]
            for entry in block["entries"]:
                value = data["derivatives"][k][(entry["output"],) + tuple(entry["index"])]
                expected = entry["derivative"]
                expected = float(eval(expected)) if isinstance(expected, str) else expected  # exact "p/q"
                self.assertAlmostEqual(value, expected, delta=1e-15 * max(1, abs(expected)))

    def test_tensors_are_symmetric_and_coefficients_divide_by_alpha_factorial(self):
        data = nnfeyn_io.load_expansion(self.expand("grammar/examples/toy.nn", 3))
        third = data["derivatives"][3][0]
        self.assertEqual(third.shape, (2, 2, 2))
        self.assertEqual(third[0, 0, 1], third[1, 0, 0])
        self.assertEqual(third[0, 1, 0], third[0, 0, 1])
        # x0^2 x1: alpha! = 2! 1! = 2.
        slot = [list(i) for i in data["indices"][3]].index([0, 0, 1])
        self.assertEqual(data["coefficients"][3][0, slot], third[0, 0, 1] / 2)

    def test_many_points_match_one_point_at_a_time(self):
        directory = tempfile.mkdtemp()
        points = np.array([[0.5, -0.25], [0.0, 0.0], [-1.0, 2.0]])
        points_path = os.path.join(directory, "points.npz")
        np.savez(points_path, points=points)
        data = nnfeyn_io.load_expansion(self.expand("grammar/examples/softplus_gelu.nn", 3, "--points", points_path))
        self.assertEqual(data["meta"]["schema"], "nnfeyn.expansions-npz/1")
        np.testing.assert_array_equal(data["points"], points)
        for p, point in enumerate(points):
            single = nnfeyn_io.load_expansion(self.expand("grammar/examples/softplus_gelu.nn", 3, "--at",
                                                          ", ".join(repr(float(c)) for c in point)))
            for k in range(4):
                self.assertEqual(data["derivatives"][k].shape[0], len(points))
                np.testing.assert_allclose(data["derivatives"][k][p], single["derivatives"][k], rtol=1e-12, atol=1e-14)

    def test_wrong_schema_is_refused(self):
        path = os.path.join(tempfile.mkdtemp(), "other.npz")
        np.savez(path, meta=np.array(json.dumps({"schema": "something/1"})))
        with self.assertRaises(ValueError):
            nnfeyn_io.load_expansion(path)


class SafetensorsTests(unittest.TestCase):
    def test_written_files_follow_the_format(self):
        path = os.path.join(tempfile.mkdtemp(), "t.safetensors")
        a, b = np.arange(6.0).reshape(2, 3), np.array([0.5, -1.0])
        nnfeyn_io.write_safetensors(path, {"b": b, "a": a}, {"k": "v"})
        raw = open(path, "rb").read()
        (length,) = struct.unpack("<Q", raw[:8])
        self.assertEqual((8 + length) % 8, 0)
        header = json.loads(raw[8:8 + length])
        self.assertEqual(header["__metadata__"], {"k": "v"})
        self.assertEqual(header["a"], {"dtype": "F64", "shape": [2, 3], "data_offsets": [0, 48]})
        body = raw[8 + length:]
        np.testing.assert_array_equal(np.frombuffer(body[0:48], "<f8").reshape(2, 3), a)
        np.testing.assert_array_equal(np.frombuffer(body[48:64], "<f8"), b)

    def test_export_writes_a_model_file_naming_its_parameters(self):
        stem = os.path.join(tempfile.mkdtemp(), "net")
        rng = np.random.default_rng(0)
        layers = [(rng.normal(size=(4, 2)), rng.normal(size=4), "tanh"), (rng.normal(size=(1, 4)), None, "linear")]
        nnfeyn_io.export_layers(layers, stem, input_name="u", point=[0.5, -0.25])
        text = open(stem + ".nn").read()
        self.assertIn('parameters "net.safetensors"', text)
        self.assertIn("input u : 2", text)
        self.assertIn("dense layer0 : 4 tanh", text)
        self.assertIn("at u = [0.5, -0.25]", text)
        with self.assertRaises(ValueError):
            nnfeyn_io.export_layers([(np.ones((2, 3)), None, "tanh"), (np.ones((1, 3)), None, "linear")], stem)


if __name__ == "__main__":
    unittest.main()
